/** The upstream protocol a provider speaks. */
export enum ApiStyle {
  OPENAI = 'OPENAI',
  ANTHROPIC = 'ANTHROPIC',
}
