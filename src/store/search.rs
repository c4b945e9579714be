//! Full-text search over message bodies (FTS5).
//!
//! User text never reaches FTS5 as syntax: it is split into words at white
//! space and control characters (FTS5 reads a NUL as the end of the query),
//! each word becomes a quoted FTS5 phrase (`"` doubled inside), and
//! the phrases are ANDed. `foo" OR bar*` searches for the words `foo`, `or`
//! and `bar`; `NEAR(` searches for `near`.
//!
//! Messages stored since the last indexing pass are searched too, with
//! the same query (`indexing.rs`), so a search finds every stored message.

use rusqlite::params;

use super::columns::{direction_at, id_at};
use super::indexing::search_pending;
use super::{Store, StoreError};
pub use crate::model::SearchHit;

/// Words of the search text used; the rest are ignored.
pub const MAX_SEARCH_TERMS: usize = 16;

/// Largest `limit` [`Store::search`] honours.
pub const MAX_SEARCH_RESULTS: usize = 500;

/// Tokens of context in a snippet.
const SNIPPET_TOKENS: i64 = 12;

/// The FTS5 query for user text: each word as a quoted phrase, ANDed.
/// `None` when the text has no word worth searching (no letter or digit).
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let phrases: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .take(MAX_SEARCH_TERMS)
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect();
    if phrases.is_empty() {
        None
    } else {
        Some(phrases.join(" "))
    }
}

impl Store {
    /// Messages whose body contains every word of `text`, newest first, in
    /// `account` or in every account, at most `limit` (capped at
    /// [`MAX_SEARCH_RESULTS`]). Matching ignores case and diacritics; the
    /// text is never interpreted as FTS5 syntax. Text without any word
    /// finds nothing.
    pub fn search(
        &self,
        text: &str,
        account: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SearchHit>, StoreError> {
        const WHAT: &str = "search messages";
        let Some(query) = fts_query(text) else {
            return Ok(Vec::new());
        };
        let limit = i64::try_from(limit.min(MAX_SEARCH_RESULTS)).unwrap_or(0);
        let ctx = self.ctx();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT m.id, m.account, c.peer_key, c.display_name, m.direction, \
                 COALESCE(m.received_at, m.sent_at, 0), \
                 snippet(messages_fts, 0, '[', ']', '…', ?4) \
                 FROM messages_fts \
                 JOIN messages m ON m.id = messages_fts.rowid \
                 JOIN conversations c ON c.id = m.conversation_id \
                 WHERE messages_fts MATCH ?1 AND (?2 IS NULL OR m.account = ?2) \
                 ORDER BY messages_fts.rowid DESC LIMIT ?3",
            )
            .map_err(ctx.sql(WHAT))?;
        let rows = stmt
            .query_map(params![query, account, limit, SNIPPET_TOKENS], |row| {
                Ok(SearchHit {
                    id: id_at(row, 0)?,
                    account: row.get(1)?,
                    peer_key: row.get(2)?,
                    display_name: row.get(3)?,
                    direction: direction_at(row, 4)?,
                    at: row.get(5)?,
                    snippet: row.get(6)?,
                })
            })
            .map_err(ctx.sql(WHAT))?;
        let mut hits = rows
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(ctx.sql(WHAT))?;
        // Messages not indexed yet (see `indexing.rs`) are searched apart.
        let pending =
            search_pending(&self.conn, &query, account, limit, SNIPPET_TOKENS).map_err(ctx.sql(WHAT))?;
        if !pending.is_empty() {
            hits.extend(pending);
            hits.sort_by_key(|hit| std::cmp::Reverse(hit.id.0));
            hits.truncate(usize::try_from(limit).unwrap_or(0));
        }
        Ok(hits)
    }
}
