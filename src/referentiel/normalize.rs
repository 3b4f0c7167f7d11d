//! Text folding for the authority search. Names (at index time) and queries (at
//! search time) go through the same functions, so that case, accents, hyphens,
//! apostrophes, spaces and the abbreviations "St"/"Ste" never decide a match:
//! "st etienne", "SAINT-ÉTIENNE" and "saintetienne" all become `saintetienne`.

use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// The words of `text`, lower-cased and without accents; anything that is not a
/// letter or a digit separates words (hyphens, apostrophes, spaces, `%`, `_`…).
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    // NFD splits "é" into "e" and a combining accent, which is then dropped; "ÿ"
    // (L'Haÿ-les-Roses) becomes "y" the same way.
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            push_folded(c, &mut word);
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Ligatures have no decomposition, yet people type "oe" for "œ" (Cœuvres-et-Valsery).
fn push_folded(c: char, out: &mut String) {
    match c {
        'œ' | 'Œ' => out.push_str("oe"),
        'æ' | 'Æ' => out.push_str("ae"),
        'ß' => out.push_str("ss"),
        _ => out.extend(c.to_lowercase()),
    }
}

/// The full form of an abbreviated word, as official names spell it: "St" and
/// "Ste" are how people (and some EPCI names) write "Saint" and "Sainte".
pub fn expand(word: &str) -> Option<&'static str> {
    match word {
        "st" => Some("saint"),
        "ste" => Some("sainte"),
        "sts" => Some("saints"),
        "stes" => Some("saintes"),
        _ => None,
    }
}

/// A name ready for matching: its words, abbreviations expanded, joined without
/// separators, and the byte offsets where each word starts in that joined text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub text: String,
    pub word_starts: Vec<usize>,
}

impl Key {
    fn from_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Self {
        let mut key = Key {
            text: String::new(),
            word_starts: Vec::new(),
        };
        for word in words {
            key.word_starts.push(key.text.len());
            key.text.push_str(word);
        }
        key
    }
}

/// The key of an official name. Joining the words without separators is what makes
/// "l'hay", "l hay" and "lhay" all find L'Haÿ-les-Roses.
pub fn name_key(name: &str) -> Key {
    let words = words(name);
    Key::from_words(words.iter().map(|w| expand(w).unwrap_or(w)))
}

/// A query ready for matching: its joined words, and the offsets in that text where a
/// matching name must have a word boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryKey {
    pub text: String,
    /// Where an expanded abbreviation starts and ends: "st e" means a word "saint" then
    /// a word starting with "e" (Saint-Étienne), not "sainte" (Sainte-Marie).
    pub boundaries: Vec<usize>,
}

/// The keys a query may mean. Every abbreviation is expanded, except that a last word
/// still being typed ("st", not "st ") may also be the start of a longer word
/// ("Strasbourg"), so then both readings are searched.
pub fn query_keys(query: &str) -> Vec<QueryKey> {
    let words = words(query);
    let Some((last, init)) = words.split_last() else {
        return Vec::new();
    };
    let mut head = QueryKey {
        text: String::new(),
        boundaries: Vec::new(),
    };
    for word in init {
        head.push(word);
    }
    let still_typing = query.chars().last().is_some_and(char::is_alphanumeric);
    let mut expanded = head.clone();
    expanded.push(last);
    if still_typing && expand(last).is_some() {
        let mut typed = head;
        typed.text.push_str(last);
        vec![typed, expanded]
    } else {
        vec![expanded]
    }
}

impl QueryKey {
    fn push(&mut self, word: &str) {
        match expand(word) {
            Some(full) => {
                if !self.text.is_empty() {
                    self.boundaries.push(self.text.len());
                }
                self.text.push_str(full);
                self.boundaries.push(self.text.len());
            }
            None => self.text.push_str(word),
        }
    }
}

/// An official code as typed: spaces dropped ("217 500 016"), letters upper-cased
/// (Corsica's "2a004").
pub fn code(query: &str) -> String {
    query
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_accents_and_separators() {
        let cases: &[(&str, &[&str])] = &[
            ("Saint-Étienne", &["saint", "etienne"]),
            ("L'Haÿ-les-Roses", &["l", "hay", "les", "roses"]),
            ("L’Île-d’Yeu", &["l", "ile", "d", "yeu"]),
            ("Cœuvres-et-Valsery", &["coeuvres", "et", "valsery"]),
            ("  ÈZE  ", &["eze"]),
            (
                "Bors (Canton de Tude-et-Lavalette)",
                &["bors", "canton", "de", "tude", "et", "lavalette"],
            ),
            ("100%_sûr", &["100", "sur"]),
            ("", &[]),
            ("-- ' %", &[]),
        ];
        for (input, expected) in cases {
            assert_eq!(words(input), *expected, "words({input:?})");
        }
    }

    #[test]
    fn name_keys_join_words_and_expand_saint() {
        let key = name_key("CC du Pays de Pontchâteau St-Gildas-des-Bois");
        assert_eq!(key.text, "ccdupaysdepontchateausaintgildasdesbois");
        let key = name_key("L'Haÿ-les-Roses");
        assert_eq!(key.text, "lhaylesroses");
        assert_eq!(key.word_starts, vec![0, 1, 4, 7]);
        assert_eq!(name_key("Sainte-Marie"), name_key("Ste Marie"));
    }

    #[test]
    fn query_keys_read_abbreviations_as_typed() {
        // (query, [(key text, boundaries)])
        type Case<'a> = (&'a str, &'a [(&'a str, &'a [usize])]);
        let cases: &[Case] = &[
            ("saint etienne", &[("saintetienne", &[])]),
            ("St-Étienne", &[("saintetienne", &[5])]),
            ("ste marie", &[("saintemarie", &[6])]),
            ("rue st jean", &[("ruesaintjean", &[3, 8])]),
            ("l'hay", &[("lhay", &[])]),
            ("lhay", &[("lhay", &[])]),
            // Still typing: "st" may be "Saint" or the start of "Strasbourg".
            ("st", &[("st", &[]), ("saint", &[5])]),
            ("st ", &[("saint", &[5])]),
            ("Ste", &[("ste", &[]), ("sainte", &[6])]),
            ("%", &[]),
            ("   ", &[]),
        ];
        for (input, expected) in cases {
            let expected: Vec<QueryKey> = expected
                .iter()
                .map(|(text, boundaries)| QueryKey {
                    text: text.to_string(),
                    boundaries: boundaries.to_vec(),
                })
                .collect();
            assert_eq!(query_keys(input), expected, "query_keys({input:?})");
        }
    }

    #[test]
    fn codes_lose_spaces_and_case() {
        assert_eq!(code(" 217 500 016 "), "217500016");
        assert_eq!(code("2a004"), "2A004");
    }
}
