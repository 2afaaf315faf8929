import { draftOf } from './outbox.service.js';

const stored = { value: 20, count: 2, giftName: 'Rose', giftId: 'rose', name: 'Ann', userId: 'u1', txId: 't-1', type: 'gift' };

describe('draftOf (an outbox row read back)', () => {
  it('rebuilds the event in its field order, from jsonb or from text', () => {
    const draft = draftOf(stored);
    expect(Object.keys(draft)).toEqual(['type', 'txId', 'userId', 'name', 'giftId', 'giftName', 'count', 'value']);
    expect(draft).toEqual(stored);
    expect(draftOf(JSON.stringify(stored))).toEqual(draft);
  });

  it('refuses a row that is not a gift event instead of announcing it', () => {
    expect(() => draftOf({ ...stored, value: '20' })).toThrow(/value/);
    expect(() => draftOf({ ...stored, txId: undefined })).toThrow(/txId/);
    expect(() => draftOf({ ...stored, type: 'barrage' })).toThrow(/not a gift event/);
    expect(() => draftOf(null)).toThrow(/not a gift event/);
  });
});
