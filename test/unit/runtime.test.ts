/**
 * The project runs on Node 24 everywhere: npm scripts put node_modules/.bin first on PATH, so jest
 * (and each of its workers, which inherit process.execPath) runs the pinned `node` package, never
 * the machine's own Node.
 */
test('jest runs on Node 24 (the pinned node package), in workers too', () => {
  expect(process.version).toMatch(/^v24\./);
  // A worker is a child of the same binary: it cannot be another Node than the parent.
  expect(process.execPath).toMatch(/node_modules/);
});
