//! Shannon entropy of a candidate secret, in bits per byte.

/// Returns the Shannon entropy of `bytes` in bits per byte (0.0 for empty input).
///
/// Random base62 tokens score about 5, random hex about 4, English words and placeholders far less,
/// which is what makes it a useful floor for rules without a distinctive prefix.
pub fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_and_constant_inputs() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaaaaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy(b"x7Gq2LmZp9Rt4VbN8wKc") > 4.0);
    }
}
