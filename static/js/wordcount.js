// What counts as a word: the same definition as essays/text.py on the server, so the live
// count a student sees is the count StudyHub stores. Separators are white space and the
// dashes used as punctuation; a word holds at least one letter or digit.
(function () {
  "use strict";
  var SEPARATORS = /[\t\n\u000b\u000c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u2012-\u2015]+/;
  var LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

  function countWords(text) {
    var count = 0;
    var tokens = String(text).split(SEPARATORS);
    for (var i = 0; i < tokens.length; i++) {
      if (LETTER_OR_DIGIT.test(tokens[i])) {
        count++;
      }
    }
    return count;
  }

  window.StudyHub = window.StudyHub || {};
  window.StudyHub.countWords = countWords;
})();
