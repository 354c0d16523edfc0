// The rule lives with the words it speaks of (src/vocabulary.ts), where the storage reads it too.
export { leadStatus } from '../vocabulary.ts';
