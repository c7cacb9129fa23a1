import { Length, Matches, ValidateNested } from 'class-validator';
import type { ValidationContext } from '../../common/errors';

/** Gateway-specific validators, with catalog messages like those of common/validators.ts. */
const ctx = (context: ValidationContext) => ({ context });

/** Every element of a string list is min..max characters long. */
export const EachLength = (min: number, max: number) =>
  Length(min, max, { each: true, ...ctx({ key: 'input.eachLength', params: { min, max } }) });

/** "1024x1024" and the like. */
export const ImageSize = () => Matches(/^\d{1,5}x\d{1,5}$/, ctx({ key: 'input.imageSize' }));

/** A short lower-case format name (mp3, opus, aac, flac, wav, pcm, ...); the provider decides which it knows. */
export const AudioFormat = () => Matches(/^[a-z0-9]{1,16}$/, ctx({ key: 'input.audioFormat' }));

/** Validates the elements of a list of input objects too (their own decorators). */
export const EachValid = () => ValidateNested({ each: true });
