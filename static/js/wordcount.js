// What counts as a word: the same definition as essays/text.py on the server, so the live
// count a student sees is the count StudyHub stores. Separators are white space and the
// dashes used as punctuation; a word holds at least one letter or digit.
const SEPARATORS = /[\t\n\u000b\u000c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u2012-\u2015]+/;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

export function countWords(text) {
  let count = 0;
  for (const token of String(text).split(SEPARATORS)) {
    if (LETTER_OR_DIGIT.test(token)) {
      count++;
    }
  }
  return count;
}
