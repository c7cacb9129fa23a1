import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsUrl, Length, Matches, Max, Min, ValidateIf } from 'class-validator';
import type { ValidationContext } from './errors';

/**
 * Validation decorators whose messages come from the i18n catalog: each passes its catalog key as
 * class-validator `context`, and the error presenter renders it in the caller's locale.
 */
const ctx = (context: ValidationContext) => ({ context });

export const SLUG_PATTERN = /^(?=.{2,40}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const IsSlug = () => Matches(SLUG_PATTERN, ctx({ key: 'input.slug' }));

export const TextLength = (min: number, max: number) => Length(min, max, ctx({ key: 'input.length', params: { min, max } }));

/** No leading/trailing whitespace and not only whitespace. */
export const NotBlank = () => Matches(/^\S(?:[\s\S]*\S)?$/, ctx({ key: 'input.blank' }));

export const ModelName = () => Matches(/^[A-Za-z0-9._:/@+-]+$/, ctx({ key: 'input.modelName' }));

export const HttpUrl = () => IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, ctx({ key: 'input.url' }));

/** For updates where "" removes the value: the other validators of the property apply to anything else. */
export const UnlessEmpty = () => ValidateIf((_object, value) => value !== '' && value != null);

/** Printable ASCII without spaces: an HTTP header value, and long enough that its hint does not give it away. */
export const API_KEY_PATTERN = /^[\x21-\x7e]{8,1000}$/;
export const ApiKeyText = () => Matches(API_KEY_PATTERN, ctx({ key: 'input.apiKey' }));

export const NonEmptyList = () => ArrayNotEmpty(ctx({ key: 'input.notEmpty' }));
export const DistinctList = () => ArrayUnique(undefined, ctx({ key: 'input.distinct' }));
export const MaxItems = (max: number) => ArrayMaxSize(max, ctx({ key: 'input.tooMany', params: { max } }));

export const InRange = (min: number, max: number) => {
  const minD = Min(min, ctx({ key: 'input.range', params: { min, max } }));
  const maxD = Max(max, ctx({ key: 'input.range', params: { min, max } }));
  return (target: object, property: string) => {
    minD(target, property);
    maxD(target, property);
  };
};

export const AtLeast = (min: number) => Min(min, ctx({ key: 'input.minimum', params: { min } }));
