/**
 * Bad input from a person: an unknown scenario, a malformed fault schedule, a bad flag. The CLI
 * prints the message and exits 2; the page shows it. The message says what, where and what to do.
 */
export class InputError extends Error {
  override name = 'InputError';
}
