//! `--shard K/N`: a run takes a deterministic 1/N of its targets, so N machines (a CI matrix, a
//! Kubernetes Indexed Job) split the work without talking to each other, and a retried shard
//! takes exactly the targets it had the first time.

use std::str::FromStr;

use sha2::{Digest, Sha256};

use super::Target;

/// Shard K of N (1 <= K <= N), as `--shard K/N` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, counted from 1 (as CI matrices and `--shard` of test runners count).
    pub index: u64,
    /// How many shards there are.
    pub count: u64,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{text:?} is not K/N with 1 <= K <= N (e.g. 2/8)");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether `target` falls in this shard. The share is decided by a hash of the target's
    /// identity alone (SHA-256, whose output never changes between versions, platforms or runs),
    /// not by its position in the list: adding a target to the list moves no other target.
    pub fn takes(&self, target: &Target) -> bool {
        shard_of(target, self.count) == self.index
    }
}

/// The shard (1..=count) `target` falls in.
pub fn shard_of(target: &Target, count: u64) -> u64 {
    let digest = Sha256::digest(target.identity().as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % count + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::TargetKind;

    #[test]
    fn shards_parse_and_refuse_what_is_not_k_of_n() {
        assert_eq!("2/8".parse(), Ok(Shard { index: 2, count: 8 }));
        assert_eq!("1/1".parse(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "-1/3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_target_falls_in_exactly_one_shard_and_always_the_same() {
        let targets: Vec<Target> = (0..200)
            .map(|i| Target::new(TargetKind::Git, format!("https://git.example/org/r{i}.git")))
            .collect();
        for n in [1, 3, 7] {
            let mut counts = vec![0; n as usize];
            for t in &targets {
                let takers: Vec<u64> = (1..=n)
                    .filter(|k| {
                        Shard {
                            index: *k,
                            count: n,
                        }
                        .takes(t)
                    })
                    .collect();
                assert_eq!(takers.len(), 1, "{t} in {takers:?} of {n}");
                counts[(takers[0] - 1) as usize] += 1;
            }
            // A hash spreads 200 targets roughly evenly: no shard is empty or holds half.
            assert!(
                counts.iter().all(|c| *c > 0 && (n == 1 || *c < 100)),
                "{counts:?}"
            );
        }
        // Fixed values: a change of hash would move targets between shards of a running job.
        let t = Target::new(TargetKind::Dir, "services/api");
        assert_eq!(shard_of(&t, 1), 1);
        assert_eq!(shard_of(&t, 7), shard_of(&t.clone(), 7));
        assert_eq!(
            (1..=7).map(|n| shard_of(&t, n)).collect::<Vec<_>>(),
            PINNED_SHARDS.to_vec()
        );
    }

    /// The shards of `dir:services/api` for N = 1..=7: the first 8 bytes of its SHA-256, big-endian,
    /// modulo N, plus 1 (computed independently, with Python's hashlib).
    const PINNED_SHARDS: [u64; 7] = [1, 1, 3, 3, 4, 3, 4];
}
