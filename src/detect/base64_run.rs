//! Finds the runs of base64 text that the decoding pass looks at: what the pattern
//! `[A-Za-z0-9+/]{12,}={0,2}` finds, found eight bytes at a time.
//!
//! The decoding pass reads every blob, so this search costs as much per byte as the keyword search
//! unless it is cheap: a regex over the class read every byte and took a sixth of a scan's time.
//! Here each 8-byte word is classified with SWAR arithmetic (byte-wise range tests on a `u64`),
//! 64 bytes make one bit mask, and only masks holding a run long enough are looked at closely.

/// Shortest run of base64 characters reported (the shortest padded candidate).
pub const MIN_RUN: usize = 12;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `low` (whose high bits are clear) set where `lo <= byte <= hi`.
fn in_range(low: u64, lo: u8, hi: u8) -> u64 {
    // Adding 0x80 - lo carries into the high bit exactly when byte >= lo; adding 0x7f - hi does
    // when byte > hi. Neither carries into the next byte: both sums stay below 0x100.
    let at_least_lo = low + ONES * u64::from(0x80 - lo);
    let above_hi = low + ONES * u64::from(0x7f - hi);
    at_least_lo & !above_hi & HIGH
}

/// One bit per byte of the little-endian `word` (bit i for byte i): whether it is base64.
fn class_bits(word: u64) -> u64 {
    let low = word & !HIGH;
    // Setting bit 5 maps A-Z onto a-z and nothing else onto a-z.
    let letters = in_range(low | (ONES * 0x20), b'a', b'z');
    let digits = in_range(low, b'0', b'9');
    let symbols = in_range(low, b'+', b'+') | in_range(low, b'/', b'/');
    // Bytes with the high bit set are not ASCII, so never base64.
    let high_bits = (letters | digits | symbols) & !word & HIGH;
    // Gather the eight high bits into the low byte: the multiplier moves byte i's bit 7 to bit
    // 56 + i, and the shift brings those to 0..8.
    ((high_bits >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// Bit i of the result for byte i of `block` (up to 64 bytes): whether it is base64.
fn class_mask(block: &[u8]) -> u64 {
    let mut mask = 0;
    let mut words = block.chunks_exact(8);
    for (k, word) in words.by_ref().enumerate() {
        let word = u64::from_le_bytes(word.try_into().expect("chunks of eight"));
        mask |= class_bits(word) << (8 * k);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        // The zero bytes that pad the word are not base64.
        mask |= class_bits(u64::from_le_bytes(word)) << (block.len() / 8 * 8);
    }
    mask
}

/// Bit i set where bits i..i+MIN_RUN of `mask` are all set: where a long run starts or goes on.
fn long_run_starts(mask: u64) -> u64 {
    let two = mask & (mask >> 1);
    let four = two & (two >> 2);
    let eight = four & (four >> 4);
    eight & (four >> 8)
}

/// Calls `found(start, end)` for each run, in order: a maximal run of at least [`MIN_RUN`]
/// base64 characters and up to two `=` after it.
pub fn for_each(data: &[u8], mut found: impl FnMut(usize, usize)) {
    long_runs(data, |start, end| found(start, with_padding(data, end)));
}

/// `end` (the end of a run in `data`) moved past up to two `=` that follow it.
fn with_padding(data: &[u8], end: usize) -> usize {
    end + data[end..]
        .iter()
        .take(2)
        .take_while(|&&b| b == b'=')
        .count()
}

/// Calls `emit(start, end)` for each maximal run of at least [`MIN_RUN`] base64 characters, in
/// order, without padding.
fn long_runs(data: &[u8], mut emit: impl FnMut(usize, usize)) {
    // Where the run that reaches the end of the last block starts. When there is none, the byte
    // before the block is not base64 (or there is none).
    let mut open: Option<usize> = None;
    for (index, block) in data.chunks(64).enumerate() {
        let base = index * 64;
        let len = block.len();
        let mut mask = class_mask(block);
        let lead = (mask.trailing_ones() as usize).min(len);
        if lead == len {
            // Base64 throughout: the run goes on, or starts here.
            open.get_or_insert(base);
            continue;
        }
        if let Some(start) = open.take() {
            // The open run ends after this block's leading base64 bytes.
            if base + lead - start >= MIN_RUN {
                emit(start, base + lead);
            }
            if lead > 0 {
                mask &= u64::MAX << lead;
            }
        }
        // A run reaching the end of a full block stays open for the next one.
        let trail = if len == 64 {
            mask.leading_ones() as usize
        } else {
            0
        };
        if trail > 0 {
            mask &= u64::MAX >> trail;
        }
        // The runs wholly inside the block. The lowest bit of `starts` is where the first long run
        // begins (a bit below it would be a long run before it), and its length is read off `mask`.
        let mut starts = long_run_starts(mask);
        while starts != 0 {
            let start = starts.trailing_zeros() as usize;
            let past = start + (mask >> start).trailing_ones() as usize;
            emit(base + start, base + past);
            starts &= u64::MAX.checked_shl(past as u32).unwrap_or(0);
        }
        if trail > 0 {
            open = Some(base + 64 - trail);
        }
    }
    if let Some(start) = open
        && data.len() - start >= MIN_RUN
    {
        emit(start, data.len());
    }
}

/// Whether `byte` is in the base64 alphabet (`=` padding aside).
fn is_class(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'+' || byte == b'/'
}

/// The runs of one segment of a blob, as offsets into it, for a cache that remembers segments
/// it has seen: the maximal runs of at least [`MIN_RUN`] base64 characters, and the shorter ones
/// that touch either end of the segment (they may go on in the segment next to it). No padding.
pub fn segment_runs(segment: &[u8], out: &mut Vec<(u32, u32)>) {
    let len = segment.len();
    let lead = segment.iter().take_while(|&&b| is_class(b)).count();
    if lead == len {
        if len > 0 {
            out.push((0, len as u32));
        }
        return;
    }
    if (1..MIN_RUN).contains(&lead) {
        out.push((0, lead as u32));
    }
    long_runs(segment, |start, end| out.push((start as u32, end as u32)));
    let trail = segment.iter().rev().take_while(|&&b| is_class(b)).count();
    if (1..MIN_RUN).contains(&trail) {
        out.push(((len - trail) as u32, len as u32));
    }
}

/// Joins the runs of consecutive segments ([`segment_runs`]) into the runs of the whole blob, as
/// [`for_each`] finds them: a run ending where the next segment's first run starts is one run.
#[derive(Debug, Default)]
pub struct Stitcher {
    /// The last run seen, which the next segment may continue.
    pending: Option<(usize, usize)>,
}

impl Stitcher {
    /// Adds the runs of the segment at `base` of `data` (offsets, as [`segment_runs`] gives them),
    /// pushing the runs that are complete onto `out`.
    pub fn push(
        &mut self,
        data: &[u8],
        base: usize,
        runs: &[(u32, u32)],
        out: &mut Vec<(usize, usize)>,
    ) {
        for &(start, end) in runs {
            let (start, end) = (base + start as usize, base + end as usize);
            match self.pending {
                Some((first, last)) if last == start => self.pending = Some((first, end)),
                _ => {
                    self.flush(data, out);
                    self.pending = Some((start, end));
                }
            }
        }
    }

    /// Pushes the last run, if it is long enough; call after the last segment.
    pub fn finish(&mut self, data: &[u8], out: &mut Vec<(usize, usize)>) {
        self.flush(data, out);
    }

    fn flush(&mut self, data: &[u8], out: &mut Vec<(usize, usize)>) {
        if let Some((start, end)) = self.pending.take()
            && end - start >= MIN_RUN
        {
            out.push((start, with_padding(data, end)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(data: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for_each(data, |start, end| out.push((start, end)));
        out
    }

    #[test]
    fn every_byte_is_classified_as_the_alphabet_says() {
        let all: Vec<u8> = (0..=255).collect();
        for block in all.chunks(64) {
            let mask = class_mask(block);
            for (i, &b) in block.iter().enumerate() {
                let expected = b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
                assert_eq!(mask >> i & 1 == 1, expected, "byte {b:#x}");
            }
        }
    }

    /// The runs are what the regex finds, on inputs built from pieces at and around the minimum
    /// length, padding and run-ending bytes, long enough to cross several 64-byte blocks and
    /// placed at every offset into them (xorshift, so every run checks the same inputs).
    #[test]
    fn runs_are_what_the_run_pattern_finds() {
        let pattern = regex::bytes::Regex::new(r"[A-Za-z0-9+/]{12,}={0,2}").unwrap();
        let pieces: [&[u8]; 13] = [
            b"aGVsbG8gd29y",
            b"ZA==",
            b"=",
            b"===",
            b" ",
            b"abc",
            b"ABCDEFGHIJK",
            b"/+",
            b"-",
            b"\n",
            b"0123456789abcdefXYZ0123456789abcdefXYZ0123456789abcdefXYZ0123",
            "\u{e9}".as_bytes(),
            b"\xff",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5000 {
            let mut data = Vec::new();
            let count = next() % 30;
            for _ in 0..count {
                data.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
            }
            let expected: Vec<(usize, usize)> = pattern
                .find_iter(&data)
                .map(|m| (m.start(), m.end()))
                .collect();
            assert_eq!(
                runs(&data),
                expected,
                "{:?}",
                String::from_utf8_lossy(&data)
            );
        }
    }

    #[test]
    fn a_run_through_whole_blocks_is_one_run() {
        let mut data = vec![b' '; 3];
        data.extend(std::iter::repeat_n(b'Q', 200));
        data.extend_from_slice(b"== x");
        assert_eq!(runs(&data), vec![(3, 205)]);
        assert_eq!(runs(&[b'a'; 128]), vec![(0, 128)]);
        assert_eq!(runs(&[b'a'; 11]), vec![]);
        assert_eq!(runs(b""), vec![]);
    }
}
