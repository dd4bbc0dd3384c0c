import { defaultSubjectResolver } from './subject.resolver.js';

describe('defaultSubjectResolver', () => {
  it.each([
    [{ id: 'carol' }, { type: 'user', id: 'carol' }],
    [{ sub: 'carol' }, { type: 'user', id: 'carol' }],
    [
      { id: 'carol', sub: 'other' },
      { type: 'user', id: 'carol' },
    ],
    [{ id: 42 }, { type: 'user', id: '42' }],
    [
      { id: 'ci-bot', type: 'token' },
      { type: 'token', id: 'ci-bot' },
    ],
  ])('reads %j as %j', (user, subject) => {
    expect(defaultSubjectResolver({ user })).toEqual(subject);
  });

  it.each([
    ['no user', undefined],
    ['a null user', null],
    ['a string user', 'carol'],
    ['an empty id', { id: '' }],
    ['an object id', { id: { $ne: null } }],
    ['a boolean id', { id: true }],
    ['a non-string type', { id: 'carol', type: 1 }],
  ])('finds no subject in %s', (_name, user) => {
    expect(defaultSubjectResolver({ user })).toBeUndefined();
  });
});
