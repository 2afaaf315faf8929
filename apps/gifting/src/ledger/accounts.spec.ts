import { splitGift } from './accounts.js';

describe('splitGift', () => {
  it('gives the host floor(value * share) and the platform the rest', () => {
    expect(splitGift(1, 0.5)).toEqual({ host: 0, platform: 1 });
    expect(splitGift(3, 0.5)).toEqual({ host: 1, platform: 2 });
    expect(splitGift(100, 0.5)).toEqual({ host: 50, platform: 50 });
    expect(splitGift(100, 0.29)).toEqual({ host: 29, platform: 71 }); // 0.29 * 100 is 28.999... in floats
    expect(splitGift(99_990_000, 0.7)).toEqual({ host: 69_993_000, platform: 29_997_000 });
    expect(splitGift(7, 0)).toEqual({ host: 0, platform: 7 });
    expect(splitGift(7, 1)).toEqual({ host: 7, platform: 0 });
  });
});
