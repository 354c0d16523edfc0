// The one interface every country implements. Adding a country is one module plus one line in
// the registry (./index.ts); nothing else branches on the country code.
import type { CountryCode as PhoneRegion, PhoneNumber } from 'libphonenumber-js/max';

export interface NationalId { type: string; value: string }

/** Either the ID, or why the input is not one, in the country's language ("el dígito verificador del RUT es 5, no K"). */
export type IdCheck = { id: NationalId; reason: null } | { id: null; reason: string };

/** One kind of national ID of a country (RUT; DNI, C.E., RUC; CPF; CURP, RFC; ...). */
export interface IdKind {
  /** Stored as the lead's national_id_type. */
  type: string;
  /** As printed on forms and exports: 'RUT', 'C.E.'. */
  name: string;
  /** The words people write for it in forms ('R.U.T.', 'D.N.I.', 'Cédula'), read by the label lookup. */
  labels: readonly string[];
  /** Whether a check digit makes a typo detectable (a bare DNI has none). */
  checkDigit: boolean;
  /** False for company-only numbers: found in a footer, they are the sender's, not the client's. */
  personal: boolean;
  /** The number written without a label: its canonical value, or why it is not valid. */
  validate(input: string): IdCheck;
  /** Display form of a canonical value ('12.345.678-5'). */
  format(value: string): string;
}

export interface PhoneRules {
  /** What libphonenumber needs as the default region. */
  region: PhoneRegion;
  callingCode: string;
  /**
   * Extra candidate numbers for forms the metadata no longer knows (Chile's pre-2012 mobiles,
   * Mexico's 044 / +52 1, Colombia's one-digit area codes), from the input's digits.
   */
  legacy?(digits: string): string[];
  /** Whether a number found in free text is a person's, not a switchboard's. */
  isMobile(n: PhoneNumber): boolean;
}

/** Samples every module is walked through by test/countries.test.ts (one contract for all). */
export interface CountrySamples {
  /** An ID as people write it, with a check digit as its last character. */
  id: string;
  /** Its canonical value and type. */
  value: string;
  type: string;
  /** A sentence with the ID in it, as in a client's free-text message. */
  sentence: string;
  /** A phone number as written locally, and its E.164 form. */
  phone: string;
  e164: string;
}

export interface CountryModule<C extends string = string> {
  code: C;
  /** The country's name in its own language, and the UI language for it. */
  name: string;
  language: 'es' | 'pt';
  /** Column header for the ID in exports: 'RUT', 'DNI/C.E./RUC'. */
  idLabel: string;
  ids: readonly IdKind[];
  /** A form field's value (it may start with a label word: 'RUT: …', 'D.N.I. N° …'). */
  parseId(input: string): IdCheck;
  /** The client's own ID inside free text, never a company's; null when none is trusted. */
  findId(text: string): NationalId | null;
  /** Canonical values a search query could mean besides the parsed one (PE: DNI <-> RUC 10…). */
  searchForms?(q: string, id: NationalId | null): string[];
  /**
   * The same person's other IDs (AR: a DNI and the CUIT/CUIL that carries it; PE: a DNI and its
   * RUC 10…): a lead under one links to the client recorded under the other, never a second record.
   */
  samePerson?(id: NationalId): string[];
  phone: PhoneRules;
  /** The year's national days off as ISO dates (YYYY-MM-DD): the cases' business-hours clock skips them. */
  holidays(year: number): string[];
  samples: CountrySamples;
}
