import { ArgsType, Field, Int } from 'type-graphql';
import { IsOptional } from 'class-validator';
import { UserInputError } from '../../common/errors';
import { InRange } from '../../common/validators';

/** Forward pagination shared by every connection: `first` 1..100 (else BAD_USER_INPUT), `after` a cursor. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, defaultValue: 20, description: 'Page size, 1-100.' })
  @IsOptional()
  @InRange(1, 100)
  first: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;
}

/** The same bound as PageArgs, for services called without TypeGraphQL's validation. */
export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > 100) {
    throw new UserInputError('input.range', { field: 'first', min: 1, max: 100 }, 'first');
  }
}
