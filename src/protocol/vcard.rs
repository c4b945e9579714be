//! vCard import and export of contacts (RFC 6350, and vCard 3 files of
//! other clients), on the `calcard` crate's parser and writer.
//!
//! `calcard` reads vCard 2.1, 3 and 4 alike: CRLF or LF, folded lines,
//! escaped `\,` `\;` `\n`, quoted-printable and base64 values. This module
//! maps its entries to [`ContactDraft`]s and back:
//!
//! - `FN` is the name (`N` when there is no `FN`); `N` is kept as it was.
//! - `IMPP` and `URL` with `sip:`/`sips:`, and `TEL` (a `tel:`/`sip:` URI, or
//!   a number, which becomes `tel:` without spaces) are the addresses.
//! - `PHOTO` (a URI, or vCard 3's inline base64 as a `data:` URI),
//!   `CATEGORIES` (groups) and `NOTE`.
//! - `X-SIPCHAT-ACCOUNT`, `X-SIPCHAT-FAVOURITE`, `X-SIPCHAT-BLOCKED`: ours.
//! - Every other property is kept as a vCard 4 content line and written back
//!   unchanged on export.
//!
//! Export writes vCard 4: `IMPP` for `sip:`/`sips:`, `TEL;VALUE=uri` for
//! `tel:`. Sans-IO: text in, text out.

use base64::Engine;
use calcard::vcard::{
    VCard, VCardEntry, VCardParameter, VCardProperty, VCardValue, VCardValueType, VCardVersion,
};
use calcard::{Entry, Parser};

use crate::model::ContactDraft;

/// Largest vCard file read, in bytes.
pub const MAX_VCARD_FILE_BYTES: usize = 16 * 1024 * 1024;
/// Most cards read from one file.
pub const MAX_VCARDS_PER_FILE: usize = 10_000;
/// Most problems listed by name after an import (the rest are counted).
pub const MAX_LISTED_PROBLEMS: usize = 50;

/// Our own property: the account to use.
const ACCOUNT_PROPERTY: &str = "X-SIPCHAT-ACCOUNT";
/// Our own property: a favourite.
const FAVOURITE_PROPERTY: &str = "X-SIPCHAT-FAVOURITE";
/// Our own property: blocked.
const BLOCKED_PROPERTY: &str = "X-SIPCHAT-BLOCKED";

/// Why a vCard file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VcardError {
    /// The file is larger than [`MAX_VCARD_FILE_BYTES`].
    #[error("the file has {size} bytes; at most {limit} are read")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The file holds no vCard.
    #[error("the file holds no vCard (BEGIN:VCARD ... END:VCARD)")]
    NoCards,
}

/// What a file gave: the contacts, and in words what was left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// One draft per usable card, in file order.
    pub contacts: Vec<ContactDraft>,
    /// Cards or lines left out, each in words (at most
    /// [`MAX_LISTED_PROBLEMS`]).
    pub problems: Vec<String>,
    /// How many problems there were in all.
    pub problem_count: usize,
}

impl Imported {
    fn problem(&mut self, text: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_LISTED_PROBLEMS {
            self.problems.push(text);
        }
    }
}

/// Reads every vCard of `text`. A card without a name or without a
/// `sip:`/`sips:`/`tel:` address is left out and named in
/// [`Imported::problems`]; so is a line the parser cannot read.
pub fn parse(text: &str) -> Result<Imported, VcardError> {
    if text.len() > MAX_VCARD_FILE_BYTES {
        return Err(VcardError::TooLarge {
            size: text.len(),
            limit: MAX_VCARD_FILE_BYTES,
        });
    }
    let mut imported = Imported::default();
    let mut parser = Parser::new(text);
    let mut cards = 0usize;
    // Every entry the parser returns consumes input; the bound only guards
    // against a parser that would not.
    for _ in 0..=text.len() {
        match parser.entry() {
            Entry::VCard(card) => {
                cards += 1;
                if cards > MAX_VCARDS_PER_FILE {
                    imported.problem(format!("only the first {MAX_VCARDS_PER_FILE} cards are read"));
                    break;
                }
                match draft_of(&card) {
                    Ok(draft) => imported.contacts.push(draft),
                    Err(reason) => imported.problem(format!("card {cards}: {reason}")),
                }
            }
            Entry::Eof => break,
            Entry::InvalidLine(line) => {
                let shown: String = line.chars().take(60).collect();
                imported.problem(format!("a line that is not vCard was skipped: {shown:?}"));
            }
            Entry::ICalendar(_) => imported.problem("a calendar entry was skipped".into()),
            Entry::UnexpectedComponentEnd { .. } | Entry::UnterminatedComponent(_) => {
                imported.problem("a card without its END:VCARD was skipped".into());
            }
            Entry::TooManyComponents => {
                imported.problem("the file nests too deeply; the rest was skipped".into());
                break;
            }
            _ => imported.problem("an entry that is not a vCard was skipped".into()),
        }
    }
    if cards == 0 {
        return Err(VcardError::NoCards);
    }
    Ok(imported)
}

/// The texts of an entry's values.
fn texts(entry: &VCardEntry) -> Vec<String> {
    entry
        .values
        .iter()
        .filter_map(|value| match value {
            VCardValue::Text(text) => Some(text.clone()),
            VCardValue::Component(parts) => Some(parts.join(" ")),
            _ => None,
        })
        .collect()
}

/// The first text of an entry, trimmed, if not empty.
fn first_text(entry: &VCardEntry) -> Option<String> {
    texts(entry)
        .into_iter()
        .map(|t| t.trim().to_string())
        .find(|t| !t.is_empty())
}

/// The scheme of `text` in lower case, if it looks like a URI.
fn scheme_of(text: &str) -> Option<String> {
    let (scheme, _) = text.split_once(':')?;
    let valid = !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// `sip:`, `sips:` or `tel:` with the scheme in lower case, if `text` is one.
fn contact_uri(text: &str) -> Option<String> {
    let text = text.trim();
    let scheme = scheme_of(text)?;
    matches!(scheme.as_str(), "sip" | "sips" | "tel").then(|| format!("{scheme}{}", &text[scheme.len()..]))
}

/// A telephone number written as text, as a `tel:` URI.
fn tel_of_number(text: &str) -> Option<String> {
    let number: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !"-.()/".contains(*c))
        .collect();
    let valid = !number.is_empty()
        && number
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || (i == 0 && c == '+') || "*#pw".contains(c));
    valid.then(|| format!("tel:{number}"))
}

/// The name from `N` (family; given; additional; prefixes; suffixes).
fn name_of_n(entry: &VCardEntry) -> Option<String> {
    let parts: Vec<String> = entry
        .values
        .iter()
        .flat_map(|value| match value {
            VCardValue::Text(text) => vec![text.clone()],
            VCardValue::Component(parts) => parts.clone(),
            _ => Vec::new(),
        })
        .collect();
    let family = parts.first().map(|s| s.trim()).unwrap_or_default();
    let given = parts.get(1).map(|s| s.trim()).unwrap_or_default();
    let name = [given, family]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

/// The entry as one vCard 4 content line (unfolded).
fn content_line(entry: &VCardEntry) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = entry.write_to(&mut out, true);
    out.replace("\r\n ", "")
        .replace("\r\n\t", "")
        .trim_end_matches(['\r', '\n'])
        .to_string()
}

/// Whether an entry's property is `name` (an `X-` one, without case).
fn is_other(entry: &VCardEntry, name: &str) -> bool {
    matches!(&entry.name, VCardProperty::Other(other) if other.eq_ignore_ascii_case(name))
}

/// One card as a draft, or why it cannot be a contact.
fn draft_of(card: &VCard) -> Result<ContactDraft, String> {
    let mut draft = ContactDraft::default();
    let mut name_from_n = None;
    for entry in &card.entries {
        match &entry.name {
            VCardProperty::Begin | VCardProperty::End | VCardProperty::Version | VCardProperty::Prodid => {}
            VCardProperty::Fn => {
                if draft.name.is_empty() {
                    draft.name = first_text(entry).unwrap_or_default();
                }
            }
            VCardProperty::N => {
                name_from_n = name_of_n(entry);
                draft.extra_vcard_lines.push(content_line(entry));
            }
            VCardProperty::Impp | VCardProperty::Url => {
                match first_text(entry).and_then(|t| contact_uri(&t).filter(|u| !u.starts_with("tel:"))) {
                    Some(uri) => draft.addresses.push(uri),
                    None => draft.extra_vcard_lines.push(content_line(entry)),
                }
            }
            VCardProperty::Tel => {
                match first_text(entry).and_then(|t| contact_uri(&t).or_else(|| tel_of_number(&t))) {
                    Some(uri) => draft.addresses.push(uri),
                    None => draft.extra_vcard_lines.push(content_line(entry)),
                }
            }
            VCardProperty::Photo => match photo_of(entry) {
                Some(photo) if draft.photo.is_none() => draft.photo = Some(photo),
                _ => draft.extra_vcard_lines.push(content_line(entry)),
            },
            VCardProperty::Categories => {
                for text in texts(entry) {
                    draft.groups.extend(
                        text.split(',')
                            .map(str::trim)
                            .filter(|g| !g.is_empty())
                            .map(str::to_string),
                    );
                }
            }
            VCardProperty::Note => {
                if let Some(note) = first_text(entry) {
                    draft.note = Some(match draft.note.take() {
                        Some(before) => format!("{before}\n{note}"),
                        None => note,
                    });
                }
            }
            _ if is_other(entry, ACCOUNT_PROPERTY) => draft.account = first_text(entry),
            _ if is_other(entry, FAVOURITE_PROPERTY) => draft.favourite = is_true(entry),
            _ if is_other(entry, BLOCKED_PROPERTY) => draft.blocked = is_true(entry),
            _ => draft.extra_vcard_lines.push(content_line(entry)),
        }
    }
    if draft.name.is_empty() {
        draft.name = name_from_n
            .or_else(|| draft.addresses.first().cloned())
            .ok_or_else(|| "it has no name (FN) and no address; skipped".to_string())?;
    }
    if draft.addresses.is_empty() {
        return Err(format!(
            "{:?} has no sip:, sips: or tel: address (IMPP, URL or TEL); skipped",
            draft.name
        ));
    }
    Ok(draft)
}

/// Whether an entry says yes.
fn is_true(entry: &VCardEntry) -> bool {
    first_text(entry).is_some_and(|t| matches!(t.to_ascii_lowercase().as_str(), "true" | "yes" | "1"))
}

/// A photo as a URI: as written, or inline data as a `data:` URI.
fn photo_of(entry: &VCardEntry) -> Option<String> {
    entry.values.iter().find_map(|value| match value {
        VCardValue::Text(text) if scheme_of(text.trim()).is_some() => Some(text.trim().to_string()),
        VCardValue::Binary(data) => {
            let media = data.content_type.clone().unwrap_or_else(|| "image/jpeg".into());
            let encoded = base64::engine::general_purpose::STANDARD.encode(&data.data);
            Some(format!("data:{media};base64,{encoded}"))
        }
        _ => None,
    })
}

/// The cards of `contacts` as one vCard 4 file (CRLF line ends, folded).
pub fn write(contacts: &[ContactDraft]) -> String {
    let mut out = String::new();
    for contact in contacts {
        let card = card_of(contact);
        // Writing to a String cannot fail.
        let _ = card.write_to(&mut out, VCardVersion::V4_0);
    }
    out
}

/// One contact as a card.
fn card_of(contact: &ContactDraft) -> VCard {
    let text = |property: VCardProperty, value: &str| VCardEntry::new(property).with_value(value.to_string());
    let mut entries = vec![text(VCardProperty::Fn, &contact.name)];
    for address in &contact.addresses {
        if address.to_ascii_lowercase().starts_with("tel:") {
            entries.push(
                text(VCardProperty::Tel, address).with_param(VCardParameter::value(VCardValueType::Uri)),
            );
        } else {
            entries.push(text(VCardProperty::Impp, address));
        }
    }
    if let Some(photo) = &contact.photo {
        entries
            .push(text(VCardProperty::Photo, photo).with_param(VCardParameter::value(VCardValueType::Uri)));
    }
    if !contact.groups.is_empty() {
        entries.push(
            VCardEntry::new(VCardProperty::Categories)
                .with_values(contact.groups.iter().cloned().map(VCardValue::Text).collect()),
        );
    }
    if let Some(note) = &contact.note {
        entries.push(text(VCardProperty::Note, note));
    }
    if let Some(account) = &contact.account {
        entries.push(text(VCardProperty::Other(ACCOUNT_PROPERTY.into()), account));
    }
    if contact.favourite {
        entries.push(text(VCardProperty::Other(FAVOURITE_PROPERTY.into()), "true"));
    }
    if contact.blocked {
        entries.push(text(VCardProperty::Other(BLOCKED_PROPERTY.into()), "true"));
    }
    entries.extend(kept_entries(&contact.extra_vcard_lines));
    VCard { entries }
}

/// The kept content lines of an imported contact, read back as entries.
fn kept_entries(lines: &[String]) -> Vec<VCardEntry> {
    if lines.is_empty() {
        return Vec::new();
    }
    let text = format!(
        "BEGIN:VCARD\r\nVERSION:4.0\r\n{}\r\nEND:VCARD\r\n",
        lines.join("\r\n")
    );
    match Parser::new(&text).entry() {
        Entry::VCard(card) => card
            .entries
            .into_iter()
            .filter(|e| {
                !matches!(
                    e.name,
                    VCardProperty::Begin | VCardProperty::End | VCardProperty::Version
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "vcard_tests.rs"]
mod tests;
