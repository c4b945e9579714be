//! Benchmark (not a test) of the history store on a large database.
//!
//! `cargo bench --no-default-features --bench store [-- MESSAGES [CONVERSATIONS]]`
//! (defaults: 1,000,000 messages over 1,000 conversations in 2 accounts).
//!
//! Builds the database in a temporary directory with batched transactions
//! (the runtime's group commit, [`Store::insert_incoming_batch`]), then
//! measures on it:
//! - single-message commits with `synchronous=FULL` (incoming and outgoing);
//! - opening a conversation (its newest 100 messages) and a deeper page;
//! - full-text search for a rare and a common word (limit 50);
//! - the conversation list with unread counts; marking a conversation read.
//!
//! Each query figure is the median (and p95) of 50 runs over random
//! conversations.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark harness: failures should abort loudly

use std::path::Path;
use std::time::{Duration, Instant};

use sipchat::model::DeliveryState;
use sipchat::store::{NewIncoming, NewOutgoing, Store};

/// Messages per transaction while building the database.
const BATCH: usize = 10_000;
/// Single-commit inserts measured.
const SINGLE_COMMITS: usize = 2_000;
/// Runs per query figure.
const RUNS: usize = 50;
/// Page size when opening a conversation.
const PAGE: usize = 100;
/// Results asked of each search.
const SEARCH_LIMIT: usize = 50;
/// A word put into one message in this many.
const RARE_EVERY: usize = 100_000;
/// The rare word.
const RARE_WORD: &str = "zanzibarquux";
/// A word of the base vocabulary that about a fifth of the messages contain.
const COMMON_WORD: &str = "meeting";

/// Small deterministic PRNG (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const BASE_WORDS: &[&str] = &[
    "the", "a", "to", "and", "you", "is", "it", "for", "on", "we", "see", "tomorrow", "today", "call", "me",
    "later", "thanks", "ok", "yes", "no", "lunch", "project", "invoice", "report", "please", "can", "send",
    "file", "when", "are", "there", "soon", "office", "home", "train", "late",
];

fn peer(i: usize) -> String {
    format!("sip:user{i}@example.org")
}

fn account(conversation: usize) -> &'static str {
    ["work", "home"][conversation % 2]
}

/// A plausible chat line of 6-20 words; `n` selects the rare word.
fn body(rng: &mut Rng, n: usize) -> String {
    let words = 6 + rng.below(15);
    let mut out = String::new();
    for w in 0..words {
        if w > 0 {
            out.push(' ');
        }
        let pick = rng.below(100);
        if pick < 60 {
            out.push_str(BASE_WORDS[rng.below(BASE_WORDS.len())]);
        } else {
            // A long tail of 5,000 synthetic words.
            out.push_str(&format!("w{}", rng.below(5_000)));
        }
    }
    if rng.below(5) == 0 {
        out.push(' ');
        out.push_str(COMMON_WORD);
    }
    if n % RARE_EVERY == RARE_EVERY / 2 {
        out.push(' ');
        out.push_str(RARE_WORD);
    }
    out
}

fn incoming(rng: &mut Rng, n: usize, conversations: usize) -> NewIncoming {
    let c = rng.below(conversations);
    NewIncoming {
        id: None,
        account: account(c).into(),
        peer_key: peer(c),
        peer_address: peer(c),
        display_name: Some(format!("User {c}")),
        call_id: Some(format!("{n:016x}@bench")),
        from_tag: None,
        cseq: Some(1),
        remote_message_id: None,
        content_type: "text/plain".into(),
        body: body(rng, n),
        file_ref: None,
        sent_at: None,
        received_at: 1_700_000_000_000 + n as i64,
    }
}

fn median_p95(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let p95 = ((samples.len() as f64 - 1.0) * 0.95).round() as usize;
    (samples[samples.len() / 2], samples[p95])
}

/// Runs `f` [`RUNS`] times and prints the median and p95.
fn time(label: &str, mut f: impl FnMut(usize) -> usize) {
    let mut samples = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for run in 0..RUNS {
        let start = Instant::now();
        rows += f(run);
        samples.push(start.elapsed());
    }
    let (median, p95) = median_p95(samples);
    println!(
        "{label:<48} median {:>9.3} ms   p95 {:>9.3} ms   ({} rows/run)",
        median.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3,
        rows / RUNS
    );
}

fn db_size(path: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", path.display())).ok())
        .map(|m| m.len())
        .sum()
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let total = args.first().copied().unwrap_or(1_000_000);
    let conversations = args.get(1).copied().unwrap_or(1_000);
    let dir = tempfile::tempdir().unwrap();
    let path = Store::path_in(dir.path());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    println!(
        "store benchmark: {total} messages, {conversations} conversations, {}",
        path.display()
    );

    let mut store = Store::open(&path).unwrap();
    let start = Instant::now();
    let mut n = 0;
    while n < total {
        let batch: Vec<_> = (n..(n + BATCH).min(total))
            .map(|i| incoming(&mut rng, i, conversations))
            .collect();
        store.insert_incoming_batch(&batch).unwrap();
        n += batch.len();
    }
    let built = start.elapsed();
    println!(
        "build: {total} messages in {:.1} s = {:.0} msg/s (batches of {BATCH}, one commit each)",
        built.as_secs_f64(),
        total as f64 / built.as_secs_f64()
    );

    // Single-message commits, synchronous=FULL, on the full database.
    let start = Instant::now();
    for i in 0..SINGLE_COMMITS {
        store
            .insert_incoming(&incoming(&mut rng, total + i, conversations))
            .unwrap();
    }
    let elapsed = start.elapsed();
    println!(
        "insert_incoming, one commit each: {SINGLE_COMMITS} in {:.2} s = {:.0} msg/s ({:.2} ms each)",
        elapsed.as_secs_f64(),
        SINGLE_COMMITS as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e3 / SINGLE_COMMITS as f64
    );
    let start = Instant::now();
    let outgoing = SINGLE_COMMITS / 2;
    for i in 0..outgoing {
        let c = rng.below(conversations);
        let id = store
            .insert_outgoing(&NewOutgoing {
                id: None,
                account: account(c).into(),
                peer_key: peer(c),
                peer_address: peer(c),
                display_name: None,
                local_id: None,
                content_type: "text/plain".into(),
                body: body(&mut rng, i),
                file_ref: None,
                sent_at: 1_800_000_000_000 + i as i64,
            })
            .unwrap();
        store
            .set_delivery_state(id, &DeliveryState::Accepted, 1_800_000_000_001 + i as i64)
            .unwrap();
    }
    let elapsed = start.elapsed();
    println!(
        "insert_outgoing + set_delivery_state(accepted), two commits each: {outgoing} in {:.2} s = {:.0} msg/s",
        elapsed.as_secs_f64(),
        outgoing as f64 / elapsed.as_secs_f64()
    );
    drop(store);
    println!(
        "database size: {:.1} MiB",
        db_size(&path) as f64 / (1024.0 * 1024.0)
    );

    let start = Instant::now();
    let mut store = Store::open(&path).unwrap();
    println!(
        "reopen (checks schema version): {:.2} ms",
        start.elapsed().as_secs_f64() * 1e3
    );

    let mut pick = Rng(42);
    time("open conversation (newest 100)", |_| {
        let c = pick.below(conversations);
        store.messages(account(c), &peer(c), None, PAGE).unwrap().len()
    });
    time("next page (100 before the first page)", |_| {
        let c = pick.below(conversations);
        let first = store.messages(account(c), &peer(c), None, PAGE).unwrap();
        let before = first.last().map(|m| m.id);
        store.messages(account(c), &peer(c), before, PAGE).unwrap().len()
    });
    time(&format!("search rare word '{RARE_WORD}' (limit 50)"), |_| {
        store.search(RARE_WORD, None, SEARCH_LIMIT).unwrap().len()
    });
    time(&format!("search common word '{COMMON_WORD}' (limit 50)"), |_| {
        store.search(COMMON_WORD, None, SEARCH_LIMIT).unwrap().len()
    });
    time("search common word, one account (limit 50)", |_| {
        store
            .search(COMMON_WORD, Some("home"), SEARCH_LIMIT)
            .unwrap()
            .len()
    });
    time("search two words 'invoice tomorrow' (limit 50)", |_| {
        store
            .search("invoice tomorrow", None, SEARCH_LIMIT)
            .unwrap()
            .len()
    });
    time("conversation list, all accounts (unread, preview)", |_| {
        store.conversations(None).unwrap().len()
    });
    time("mark_read of a conversation", |run| {
        let c = run * 7 % conversations;
        store.mark_read(account(c), &peer(c)).unwrap();
        1
    });
    drop(store);
    let reader = Store::open_read_only(&path).unwrap();
    time("read-only: open conversation (newest 100)", |_| {
        let c = pick.below(conversations);
        reader.messages(account(c), &peer(c), None, PAGE).unwrap().len()
    });
}
