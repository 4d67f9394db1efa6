import * as contract from '@chat/kit/contract';
import { describe, expect, it } from 'vitest';
import * as copied from '../src/lib/text/contract.ts';

describe("the contract's text rules in the app", () => {
  it('are the contract’s own: mention syntax, @all, the length of a reply preview', () => {
    expect(copied.MENTION_PATTERN.source).toBe(contract.MENTION_PATTERN.source);
    expect(copied.MENTION_PATTERN.flags).toBe(contract.MENTION_PATTERN.flags);
    expect(copied.MENTION_ALL).toBe(contract.MENTION_ALL);
    expect(copied.REPLY_PREVIEW_LENGTH).toBe(contract.REPLY_PREVIEW_LENGTH);
  });
});
