//! The in-memory search over the reference authorities, built once from SQLite at
//! start and shared by every request: the sign-up form's autocomplete calls it on
//! each keystroke, so a search never touches the database.
//!
//! How it works: each name is folded to a key without case, accents or separators
//! ("Saint-Étienne" → `saintetienne`, see [`normalize`]). The keys are concatenated
//! and their suffixes sorted, in two arrays: suffixes that start a word (the name
//! itself, or a word inside it) and suffixes that start inside a word. A query's
//! matches are then one binary search away, as a contiguous range of suffixes that
//! start with it; each match is scored by tier (exact name, prefix, word inside the
//! name, inside a word) and by a precomputed global rank (population, then name), and
//! a small top-k keeps the best. Codes (postcode, INSEE, SIREN, département) are
//! answered from hash maps and a sorted postcode list instead.

use std::{collections::HashMap, fmt, sync::Arc};

use anyhow::{Context, Result};
use sqlx::SqlitePool;

use super::{
    AuthorityHit, AuthorityKind,
    normalize::{self, Key, QueryKey},
    store::{self, Vintage},
};

/// Longer queries get no hits: no French authority name is that long, and a bound keeps
/// the cost of a query bounded.
pub const MAX_QUERY_CHARS: usize = 100;

/// Larger limits are cut to this, so a caller cannot ask for the whole list.
pub const MAX_LIMIT: usize = 100;

/// Substrings shorter than this would match thousands of names in the middle of a
/// word and mean nothing; shorter queries match names and words by their start only.
const MIN_INNER_CHARS: usize = 3;

/// Words so common inside names ("Saint-Germain-des-Prés") that matching a query at
/// their start would only add noise and work; a match there still counts as a match
/// inside a word.
const MINOR_WORDS: &[&str] = &[
    "a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "lez", "s",
    "sous", "sur",
];

/// The search index over the reference authorities; cloning it is cheap.
#[derive(Clone, Default)]
pub struct Referentiel {
    index: Arc<Index>,
    vintage: Option<Vintage>,
}

impl fmt::Debug for Referentiel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Referentiel")
            .field("authorities", &self.len())
            .field("vintage", &self.vintage)
            .finish()
    }
}

impl Referentiel {
    /// Builds the index from the imported reference data; empty if nothing was imported.
    pub async fn load(pool: &SqlitePool) -> Result<Self> {
        let authorities = store::authorities(pool).await?;
        let vintage = store::current_vintage(pool).await?;
        // Sorting some 410,000 suffixes takes a fraction of a second: keep it off the
        // async workers.
        let index = tokio::task::spawn_blocking(move || Index::build(authorities))
            .await
            .context("building the referentiel index panicked")?;
        Ok(Self {
            index: Arc::new(index),
            vintage,
        })
    }

    /// An index over the given authorities, without a database (tests, fixtures).
    pub fn new(authorities: Vec<AuthorityHit>) -> Self {
        Self {
            index: Arc::new(Index::build(authorities)),
            vintage: None,
        }
    }

    /// The number of authorities one can pick.
    pub fn len(&self) -> usize {
        self.index.authorities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.authorities.is_empty()
    }

    /// The import the index was loaded from.
    pub fn vintage(&self) -> Option<&Vintage> {
        self.vintage.as_ref()
    }

    /// The authorities matching what a registrant typed, best first, at most `limit`
    /// (itself at most [`MAX_LIMIT`]).
    ///
    /// A name matches whatever its case, accents, hyphens, apostrophes and spaces, and
    /// "St"/"Ste" read as "Saint"/"Sainte"; an exact name ranks before a name that
    /// starts with the query, then one with a word that does, then one that contains it;
    /// within each, larger population first, then name. Codes are recognised: a
    /// postcode lists its communes, an INSEE code finds its commune, a SIREN (or SIRET)
    /// its commune or EPCI, a 2–3 character code its département and région.
    pub fn search(&self, query: &str, limit: usize) -> Vec<AuthorityHit> {
        let limit = limit.min(MAX_LIMIT);
        // The byte length bounds the number of chars, so most queries skip the count.
        let too_long = query.len() > MAX_QUERY_CHARS && query.chars().count() > MAX_QUERY_CHARS;
        if limit == 0 || too_long || self.is_empty() {
            return Vec::new();
        }
        let ids = match CodeQuery::parse(query) {
            Some(code) => self.index.by_code(code, limit),
            None => self.index.by_name(&normalize::query_keys(query), limit),
        };
        ids.into_iter()
            .map(|id| self.index.authorities[id as usize].clone())
            .collect()
    }

    /// The authority of that kind with that official code ("2a004" finds "2A004").
    pub fn get(&self, kind: AuthorityKind, code: &str) -> Option<AuthorityHit> {
        let id = *self.index.by_code.get(&(kind, normalize::code(code)))?;
        Some(self.index.authorities[id as usize].clone())
    }
}

/// What a query that looks like an official code asks for.
#[derive(Debug, PartialEq, Eq)]
enum CodeQuery {
    /// 9 digits, or the first 9 of a 14-digit SIRET.
    Siren(String),
    /// 5 digits: a postcode, or an INSEE code (3,000 codes are both).
    PostcodeOrInsee(String),
    /// Corsica's INSEE codes: 2A or 2B and 3 digits.
    Insee(String),
    /// 2 to 4 digits, or 2A/2B: a département or région code, or the start of a postcode.
    Territory(String),
    /// Digits that can be no code: no hits, rather than a name search.
    Nothing,
}

impl CodeQuery {
    fn parse(query: &str) -> Option<Self> {
        let code = normalize::code(query);
        let digits = !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit());
        let corsica = code.starts_with("2A") || code.starts_with("2B");
        Some(match code.len() {
            9 if digits => Self::Siren(code),
            14 if digits => Self::Siren(code[..9].to_owned()),
            5 if digits => Self::PostcodeOrInsee(code),
            2..=4 if digits => Self::Territory(code),
            5 if corsica && code.bytes().skip(2).all(|b| b.is_ascii_digit()) => Self::Insee(code),
            2 if corsica => Self::Territory(code),
            _ if digits => Self::Nothing,
            _ => return None,
        })
    }
}

/// Tiers of a name match, best first; they are the high bits of a score.
const EXACT: u64 = 0;
const PREFIX: u64 = 1;
const WORD: u64 = 2;
const INNER: u64 = 3;

/// A suffix of the concatenated keys, from byte `pos`, inside the key of authority `id`.
#[derive(Debug, Clone, Copy)]
struct Suffix {
    pos: u32,
    id: u32,
}

#[derive(Default)]
struct Index {
    authorities: Vec<AuthorityHit>,
    /// Each authority's place in the order "larger population first, then name":
    /// a match's score is its tier then this, one integer to compare.
    rank: Vec<u32>,
    /// Every authority's name key, one after the other; `bounds[id]` is its slice.
    keys: String,
    bounds: Vec<(u32, u32)>,
    /// Suffixes that start a name or a word of it, sorted.
    word_suffixes: Vec<Suffix>,
    /// Suffixes that start inside a word (or at a minor word), sorted.
    inner_suffixes: Vec<Suffix>,
    /// One bit per byte of `keys`, set where a word starts.
    word_starts: Vec<u64>,
    by_code: HashMap<(AuthorityKind, String), u32>,
    /// Communes by their SIREN, EPCI by their code.
    by_siren: HashMap<String, u32>,
    /// (postcode, commune) sorted by postcode then rank.
    postcodes: Vec<(String, u32)>,
}

impl Index {
    fn build(authorities: Vec<AuthorityHit>) -> Self {
        let name_keys: Vec<Key> = authorities
            .iter()
            .map(|a| normalize::name_key(&a.name))
            .collect();

        let mut order: Vec<u32> = (0..authorities.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&authorities[a as usize], &authorities[b as usize]);
            y.population
                .cmp(&x.population)
                .then_with(|| name_keys[a as usize].text.cmp(&name_keys[b as usize].text))
                .then_with(|| x.name.cmp(&y.name))
                .then_with(|| x.kind.cmp(&y.kind))
                .then_with(|| x.code.cmp(&y.code))
        });
        let mut rank = vec![0; authorities.len()];
        for (place, &id) in order.iter().enumerate() {
            rank[id as usize] = place as u32;
        }

        let mut keys = String::new();
        let mut bounds = Vec::with_capacity(authorities.len());
        let mut word_suffixes = Vec::new();
        let mut inner_suffixes = Vec::new();
        let mut word_starts = Vec::new();
        for (id, key) in name_keys.iter().enumerate() {
            let start = keys.len();
            keys.push_str(&key.text);
            bounds.push((start as u32, keys.len() as u32));
            word_starts.resize(keys.len().div_ceil(64), 0);
            for offset in &key.word_starts {
                let bit = start + offset;
                word_starts[bit / 64] |= 1 << (bit % 64);
            }
            let word_at = |offset: usize| -> Option<&str> {
                let i = key.word_starts.iter().position(|&s| s == offset)?;
                let end = key
                    .word_starts
                    .get(i + 1)
                    .copied()
                    .unwrap_or(key.text.len());
                Some(&key.text[offset..end])
            };
            for (offset, _) in key.text.char_indices() {
                let suffix = Suffix {
                    pos: (start + offset) as u32,
                    id: id as u32,
                };
                match word_at(offset) {
                    Some(word) if offset == 0 || !MINOR_WORDS.contains(&word) => {
                        word_suffixes.push(suffix)
                    }
                    _ => inner_suffixes.push(suffix),
                }
            }
        }
        let text = |s: &Suffix| &keys[s.pos as usize..bounds[s.id as usize].1 as usize];
        word_suffixes.sort_unstable_by(|a, b| text(a).cmp(text(b)));
        inner_suffixes.sort_unstable_by(|a, b| text(a).cmp(text(b)));

        let mut by_code = HashMap::new();
        let mut by_siren = HashMap::new();
        let mut postcodes = Vec::new();
        for (id, a) in authorities.iter().enumerate() {
            let id = id as u32;
            by_code.insert((a.kind, a.code.clone()), id);
            if let Some(siren) = &a.siren {
                by_siren.insert(siren.clone(), id);
            }
            if a.kind == AuthorityKind::Commune {
                postcodes.extend(a.postcodes.iter().map(|p| (p.clone(), id)));
            }
        }
        postcodes.sort_unstable_by(|(p, a), (q, b)| {
            p.cmp(q)
                .then_with(|| rank[*a as usize].cmp(&rank[*b as usize]))
        });
        postcodes.dedup();

        Self {
            authorities,
            rank,
            keys,
            bounds,
            word_suffixes,
            inner_suffixes,
            word_starts,
            by_code,
            by_siren,
            postcodes,
        }
    }

    fn suffix(&self, s: &Suffix) -> &str {
        &self.keys[s.pos as usize..self.bounds[s.id as usize].1 as usize]
    }

    /// The suffixes that start with `key`: they are contiguous in a sorted array.
    fn starting_with<'a>(&self, suffixes: &'a [Suffix], key: &str) -> &'a [Suffix] {
        let from = suffixes.partition_point(|s| self.suffix(s) < key);
        let len = suffixes[from..].partition_point(|s| self.suffix(s).starts_with(key));
        &suffixes[from..from + len]
    }

    /// Whether the name has a word boundary wherever the query needs one.
    fn has_boundaries(&self, s: &Suffix, key: &QueryKey) -> bool {
        let end = self.bounds[s.id as usize].1 as usize;
        key.boundaries.iter().all(|&offset| {
            let at = s.pos as usize + offset;
            at == end || self.word_starts[at / 64] & (1 << (at % 64)) != 0
        })
    }

    fn score(&self, tier: u64, id: u32) -> u64 {
        (tier << 32) | u64::from(self.rank[id as usize])
    }

    fn by_name(&self, keys: &[QueryKey], limit: usize) -> Vec<u32> {
        let mut best = TopK::new(limit);
        for key in keys {
            for s in self.starting_with(&self.word_suffixes, &key.text) {
                if !self.has_boundaries(s, key) {
                    continue;
                }
                let (start, end) = self.bounds[s.id as usize];
                let tier = if s.pos != start {
                    WORD
                } else if (end - start) as usize == key.text.len() {
                    EXACT
                } else {
                    PREFIX
                };
                best.offer(self.score(tier, s.id), s.id);
            }
        }
        // A match inside a word ranks last, so it is only worth looking for when the
        // better tiers left room.
        if !best.is_full() {
            for key in keys
                .iter()
                .filter(|k| k.text.chars().count() >= MIN_INNER_CHARS)
            {
                for s in self.starting_with(&self.inner_suffixes, &key.text) {
                    if self.has_boundaries(s, key) {
                        best.offer(self.score(INNER, s.id), s.id);
                    }
                }
            }
        }
        best.into_ids()
    }

    fn by_code(&self, query: CodeQuery, limit: usize) -> Vec<u32> {
        let find = |kind, code: &str| self.by_code.get(&(kind, code.to_owned())).copied();
        match query {
            CodeQuery::Siren(siren) => self.by_siren.get(&siren).copied().into_iter().collect(),
            CodeQuery::Insee(code) => find(AuthorityKind::Commune, &code).into_iter().collect(),
            CodeQuery::PostcodeOrInsee(code) => {
                // People know their postcode better than their INSEE code, so its
                // communes come first, but the commune with that INSEE code keeps a place.
                let insee = find(AuthorityKind::Commune, &code);
                let room = limit - usize::from(insee.is_some());
                let mut ids: Vec<u32> = self
                    .postcodes_starting_with(&code)
                    .iter()
                    .map(|&(_, id)| id)
                    .filter(|&id| Some(id) != insee)
                    .take(room)
                    .collect();
                ids.extend(insee);
                ids
            }
            CodeQuery::Territory(code) => {
                let mut ids: Vec<u32> = [AuthorityKind::Departement, AuthorityKind::Region]
                    .into_iter()
                    .filter_map(|kind| find(kind, &code))
                    .collect();
                let mut best = TopK::new(limit.saturating_sub(ids.len()));
                for &(_, id) in self.postcodes_starting_with(&code) {
                    best.offer(u64::from(self.rank[id as usize]), id);
                }
                ids.extend(best.into_ids());
                ids.truncate(limit);
                ids
            }
            CodeQuery::Nothing => Vec::new(),
        }
    }

    fn postcodes_starting_with(&self, prefix: &str) -> &[(String, u32)] {
        let from = self.postcodes.partition_point(|(p, _)| p.as_str() < prefix);
        let len = self.postcodes[from..].partition_point(|(p, _)| p.starts_with(prefix));
        &self.postcodes[from..from + len]
    }
}

/// The best `limit` distinct authorities seen so far, by score. Kept as a small sorted
/// vector: most offers lose to the worst kept one and cost a single comparison.
struct TopK {
    limit: usize,
    kept: Vec<(u64, u32)>,
}

impl TopK {
    fn new(limit: usize) -> Self {
        Self {
            limit,
            kept: Vec::with_capacity(limit + 1),
        }
    }

    fn is_full(&self) -> bool {
        self.kept.len() >= self.limit
    }

    fn offer(&mut self, score: u64, id: u32) {
        if self.is_full() && self.kept.last().is_none_or(|&(worst, _)| score >= worst) {
            return;
        }
        // An authority matched twice (a prefix and a word, or "st" and "saint") keeps
        // its better score.
        if let Some(i) = self.kept.iter().position(|&(_, kept)| kept == id) {
            if self.kept[i].0 <= score {
                return;
            }
            self.kept.remove(i);
        }
        let at = self.kept.partition_point(|&(kept, _)| kept < score);
        self.kept.insert(at, (score, id));
        self.kept.truncate(self.limit);
    }

    fn into_ids(self) -> Vec<u32> {
        self.kept.into_iter().map(|(_, id)| id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authority(kind: AuthorityKind, code: &str, name: &str, population: i64) -> AuthorityHit {
        AuthorityHit {
            kind,
            code: code.into(),
            name: name.into(),
            siren: None,
            departement_code: None,
            departement_name: None,
            region_code: None,
            region_name: None,
            population: Some(population),
            postcodes: Vec::new(),
        }
    }

    fn commune(code: &str, name: &str, population: i64, postcodes: &[&str]) -> AuthorityHit {
        AuthorityHit {
            siren: Some(format!("21{code}00")),
            postcodes: postcodes.iter().map(|p| p.to_string()).collect(),
            ..authority(AuthorityKind::Commune, code, name, population)
        }
    }

    fn referentiel() -> Referentiel {
        Referentiel::new(vec![
            commune("42218", "Saint-Étienne", 170_000, &["42000", "42100"]),
            commune("76575", "Saint-Étienne-du-Rouvray", 28_000, &["76800"]),
            commune("01350", "Saint-Étienne-du-Bois", 2_500, &["01370"]),
            commune("42100", "Chavanay", 2_800, &["42410"]),
            commune("67482", "Strasbourg", 290_000, &["67000"]),
            commune("94038", "L'Haÿ-les-Roses", 31_000, &["94240"]),
            commune("57000", "Hayange", 15_000, &["57700"]),
            commune("97418", "Sainte-Marie", 37_000, &["97438"]),
            AuthorityHit {
                siren: Some("244200770".into()),
                ..authority(
                    AuthorityKind::Epci,
                    "244200770",
                    "Saint-Étienne Métropole",
                    400_000,
                )
            },
            authority(AuthorityKind::Departement, "42", "Loire", 770_000),
            authority(
                AuthorityKind::Region,
                "84",
                "Auvergne-Rhône-Alpes",
                8_000_000,
            ),
            authority(AuthorityKind::Departement, "84", "Vaucluse", 560_000),
        ])
    }

    fn first_codes(r: &Referentiel, query: &str) -> Vec<String> {
        r.search(query, 10).into_iter().map(|h| h.code).collect()
    }

    #[test]
    fn tiers_rank_exact_then_prefix_then_word_then_inside() {
        let r = referentiel();
        assert_eq!(
            first_codes(&r, "saint etienne"),
            ["42218", "244200770", "76575", "01350"]
        );
        // "etienne" starts a word in each of them; none starts with it.
        assert_eq!(first_codes(&r, "etienne")[0], "244200770");
        // Inside a word only: "tienne".
        assert_eq!(first_codes(&r, "tienne").len(), 4);
        // A two-letter query does not look inside words.
        assert!(first_codes(&r, "ti").is_empty());
    }

    #[test]
    fn a_last_word_being_typed_reads_both_ways() {
        let r = referentiel();
        let hits = first_codes(&r, "st");
        assert!(
            hits.contains(&"67482".to_string()),
            "Strasbourg starts with st"
        );
        assert!(
            hits.contains(&"42218".to_string()),
            "Saint-Étienne is St-Étienne"
        );
        let hits = first_codes(&r, "st ");
        assert!(
            !hits.contains(&"67482".to_string()),
            "a finished word is Saint"
        );
        assert_eq!(hits.len(), 4);
    }

    #[test]
    fn an_abbreviation_stands_for_a_whole_word() {
        let r = referentiel();
        assert_eq!(
            first_codes(&r, "ste"),
            ["97418"],
            "Ste is Sainte, not Saint-É…"
        );
        assert!(!first_codes(&r, "st e").contains(&"97418".to_string()));
        // Typed in full, the words run together like any others.
        assert!(first_codes(&r, "saint e").contains(&"97418".to_string()));
    }

    #[test]
    fn codes_are_recognised() {
        let r = referentiel();
        assert_eq!(first_codes(&r, "42000"), ["42218"]);
        assert_eq!(
            first_codes(&r, "42100"),
            ["42218", "42100"],
            "postcode, then INSEE"
        );
        assert_eq!(first_codes(&r, "244 200 770"), ["244200770"]);
        assert_eq!(first_codes(&r, "24420077000019"), ["244200770"], "SIRET");
        assert_eq!(first_codes(&r, "84"), ["84", "84"]);
        assert_eq!(r.search("84", 10)[0].kind, AuthorityKind::Departement);
        assert_eq!(first_codes(&r, "42"), ["42", "42218", "42100"]);
        assert!(first_codes(&r, "1234567").is_empty());
    }

    #[test]
    fn odd_queries_return_nothing() {
        let r = referentiel();
        for query in [
            "",
            "   ",
            "%",
            "_",
            "'-'",
            &"a".repeat(101),
            &"é".repeat(101),
        ] {
            assert!(r.search(query, 10).is_empty(), "{query:?}");
        }
        assert!(r.search("saint", 0).is_empty());
        assert_eq!(r.search("saint", usize::MAX).len(), 5);
        assert!(Referentiel::default().search("saint", 10).is_empty());
    }

    #[test]
    fn get_finds_by_kind_and_code() {
        let r = referentiel();
        assert_eq!(
            r.get(AuthorityKind::Departement, "84").unwrap().name,
            "Vaucluse"
        );
        assert_eq!(
            r.get(AuthorityKind::Region, "84").unwrap().name,
            "Auvergne-Rhône-Alpes"
        );
        assert!(r.get(AuthorityKind::Commune, "84").is_none());
        assert!(r.get(AuthorityKind::Other, "42218").is_none());
    }

    #[test]
    fn top_k_keeps_the_best_distinct() {
        let mut top = TopK::new(2);
        for (score, id) in [(5, 1), (3, 2), (4, 1), (9, 3), (1, 3)] {
            top.offer(score, id);
        }
        assert_eq!(top.into_ids(), [3, 2]);
    }
}
