import { ArgsType, Field, Int } from 'type-graphql';
import { IsOptional } from 'class-validator';
import { InRange } from '../common/validators';

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
