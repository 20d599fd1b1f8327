//! How the parts of a package name their namespaces, so that what annex adds to a part is
//! written in that part's own names: the prefix its root declares for a namespace (`x:` in
//! `<x:styleSheet xmlns:x=…>`), or, where the root declares none, a declaration of its own.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// How a part's root names `namespace`: its prefix (`x:`, or empty for the default namespace)
/// and nothing to declare; or, where the root does not declare it, `fallback` with the
/// declaration an added element must carry itself.
pub fn naming(xml: &str, namespace: &str, fallback: &str) -> (String, String) {
    let mut reader = Reader::from_str(xml);
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Start(e) | Event::Empty(e) => {
                for attribute in e.attributes().flatten() {
                    let key = attribute.key.as_ref();
                    if attribute.value.as_ref() != namespace {
                        continue;
                    }
                    if key == "xmlns" {
                        return (String::new(), String::new());
                    }
                    if let Some(prefix) = key.strip_prefix("xmlns:") {
                        return (format!("{prefix}:"), String::new());
                    }
                }
                break;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let declared = match fallback.strip_suffix(':') {
        Some(prefix) => format!(r#" xmlns:{prefix}="{namespace}""#),
        None => format!(r#" xmlns="{namespace}""#),
    };
    (fallback.to_string(), declared)
}

/// The prefix a part's root element is written with (`x:`), or none.
pub fn root_prefix(xml: &str) -> String {
    let mut reader = Reader::from_str(xml);
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Start(e) => {
                return e
                    .name()
                    .prefix()
                    .map(|p| format!("{}:", p.as_ref()))
                    .unwrap_or_default();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    String::new()
}

/// The prefix an element is written with: `x:` for `<x:styleSheet>`, empty for none.
pub fn element_prefix(element: &BytesStart) -> String {
    (element.name().prefix())
        .map(|prefix| format!("{}:", prefix.as_ref()))
        .unwrap_or_default()
}

/// Annex's own markup (tags, attributes, no text) with every element given `prefix`.
pub fn with_prefix(fragment: &str, prefix: &str) -> String {
    if prefix.is_empty() {
        return fragment.to_string();
    }
    let mut out = String::with_capacity(fragment.len() * 2);
    let mut rest = fragment;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('/') {
            out.push('/');
            rest = after;
        }
        if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            out.push_str(prefix);
        }
    }
    out.push_str(rest);
    out
}
