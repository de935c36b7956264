//! Views and offset maps on arbitrary bytes (decoded as the scanner does: lossy UTF-8).
//!
//! Checks, for every view: the text is the same with and without offset maps, alone or built
//! together with the other views, and equal to `normalise`; every view byte maps back to a
//! non-empty range of the original that starts and ends on character boundaries, and so does
//! every range of whole view characters (so `text[start..end]` is always valid evidence).
#![no_main]

use conduct_scan_core::normalise::{normalise, ViewTexts};
use conduct_scan_core::{View, ViewSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let all: ViewSet = View::ALL.into_iter().collect();
    let mut mapped = ViewTexts::default();
    mapped.build(text, all, true);
    let mut plain = ViewTexts::default();
    plain.build(text, all, false);
    for view in View::ALL {
        let v = mapped.text(view);
        assert_eq!(v, plain.text(view), "{view}: maps change the text of {text:?}");
        let mut alone = ViewTexts::default();
        alone.build(text, ViewSet::of(view), false);
        assert_eq!(v, alone.text(view), "{view}: built alone differs for {text:?}");
        assert_eq!(v, normalise(view, text), "{view}: normalise differs for {text:?}");
        let check = |start: usize, end: usize| {
            let (s, e) = mapped.to_original(view, start, end);
            assert!(
                s < e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e),
                "{view} of {text:?}: view bytes {start}..{end} -> original {s}..{e}"
            );
        };
        for i in 0..v.len() {
            check(i, i + 1);
        }
        let bounds: Vec<usize> = v.char_indices().map(|(i, _)| i).chain([v.len()]).collect();
        for pair in bounds.windows(2) {
            check(pair[0], pair[1]);
        }
        if let (Some(&first), Some(&last)) = (bounds.first(), bounds.last()) {
            if first < last {
                check(first, last);
            }
        }
    }
});
