const E164 = /^\+[1-9][0-9]{6,14}$/;

interface CountryInfo {
  code: string;
  country: string;
  language: string;
  /** Digits after `+` in a full national number. */
  length: number;
}

// Longest calling code first, so +353 wins over +35.
const COUNTRIES: CountryInfo[] = [
  { code: '353', country: 'IE', language: 'en', length: 12 },
  { code: '1', country: 'US', language: 'en', length: 11 },
  { code: '44', country: 'GB', language: 'en', length: 12 },
  { code: '61', country: 'AU', language: 'en', length: 11 },
  { code: '64', country: 'NZ', language: 'en', length: 11 },
  { code: '90', country: 'TR', language: 'tr', length: 12 },
  { code: '49', country: 'DE', language: 'de', length: 12 },
  { code: '33', country: 'FR', language: 'fr', length: 11 },
  { code: '34', country: 'ES', language: 'es', length: 11 },
  { code: '52', country: 'MX', language: 'es', length: 12 },
  { code: '39', country: 'IT', language: 'it', length: 12 },
  { code: '31', country: 'NL', language: 'nl', length: 11 },
  { code: '55', country: 'BR', language: 'pt', length: 13 },
  { code: '91', country: 'IN', language: 'hi', length: 12 },
].sort((a, b) => b.code.length - a.code.length);

const CANADA_AREAS = new Set([
  '204',
  '236',
  '250',
  '289',
  '306',
  '343',
  '403',
  '416',
  '418',
  '437',
  '438',
  '450',
  '506',
  '514',
  '519',
  '587',
  '604',
  '613',
  '647',
  '705',
  '709',
  '778',
  '780',
  '807',
  '819',
  '867',
  '902',
  '905',
]);

export function countryOf(e164: string): CountryInfo | undefined {
  const digits = e164.replace(/^\+/, '');
  const info = COUNTRIES.find((c) => digits.startsWith(c.code));
  if (info?.code === '1' && CANADA_AREAS.has(digits.slice(1, 4))) return { ...info, country: 'CA' };
  return info;
}

export const isE164 = (s: string): boolean => E164.test(s);
