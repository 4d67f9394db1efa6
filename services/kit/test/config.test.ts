import { describe, expect, it } from 'vitest';
import { ConfigError, common, DEV_INTERNAL_TOKEN, internalTokenVar, parseConfig } from '@chat/kit';

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

  it('refuses the development internal token in production, wherever a service reads it', () => {
    const shape = { NODE_ENV: common.NODE_ENV, INTERNAL_TOKEN: internalTokenVar };
    expect(parseConfig(shape, {}).INTERNAL_TOKEN).toBe(DEV_INTERNAL_TOKEN);
    expect(() => parseConfig(shape, { NODE_ENV: 'production' })).toThrow(
      'INTERNAL_TOKEN: the development default must not be used in production',
    );
    expect(
      parseConfig(shape, { NODE_ENV: 'production', INTERNAL_TOKEN: 'a-real-secret-of-length' }).INTERNAL_TOKEN,
    ).toBe('a-real-secret-of-length');
  });
});
