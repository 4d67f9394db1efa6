import { describe, expect, it } from 'vitest';
import { ConfigError, common, parseConfig } from '@chat/kit';

describe('service configuration', () => {
  it('uses development defaults when nothing is set', () => {
    const config = parseConfig({ PORT: common.port(3001), REDIS_URL: common.REDIS_URL }, {});
    expect(config).toEqual({ PORT: 3001, REDIS_URL: 'redis://127.0.0.1:6379' });
  });

  it('names every malformed variable in one message', () => {
    const parse = () =>
      parseConfig({ PORT: common.port(3001), REDIS_URL: common.REDIS_URL }, { PORT: 'abc', REDIS_URL: 'nope' });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/PORT: .*REDIS_URL: /);
  });
});
