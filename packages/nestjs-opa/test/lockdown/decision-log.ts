/** Credential names as words; {@link credentialSpellings} spells each in every common style. */
const credentialWords = [
  ['access', 'token'],
  ['api', 'key'],
  ['auth'],
  ['auth', 'token'],
  ['authorization'],
  ['aws', 'secret', 'access', 'key'],
  ['bearer'],
  ['client', 'secret'],
  ['cookie'],
  ['credentials'],
  ['db', 'password'],
  ['id', 'token'],
  ['jwt'],
  ['passwd'],
  ['password'],
  ['private', 'key'],
  ['proxy', 'authorization'],
  ['pwd'],
  ['refresh', 'token'],
  ['secret'],
  ['session', 'id'],
  ['set', 'cookie'],
  ['token'],
  ['x', 'api', 'key'],
];

const capitalized = (word: string) => word[0]!.toUpperCase() + word.slice(1);

/**
 * Every credential name above spelled snake_case, kebab-case, camelCase, PascalCase, UPPER_SNAKE,
 * UPPER-KEBAB, Train-Case, flat and dotted: `api_key`, `x-api-key`, `apiKey`, `X-Api-Key`, ...
 */
export function credentialSpellings(): string[] {
  const spellings = new Set<string>();
  for (const words of credentialWords) {
    const [first, ...rest] = words;
    for (const spelling of [
      words.join('_'),
      words.join('-'),
      first + rest.map(capitalized).join(''),
      words.map(capitalized).join(''),
      words.join('_').toUpperCase(),
      words.join('-').toUpperCase(),
      words.map(capitalized).join('-'),
      words.join(''),
      words.join('.'),
    ]) {
      spellings.add(spelling);
    }
  }
  return [...spellings].sort();
}
