//! The keys a file has already given, so that a key repeated within one file is refused.
//!
//! Two rows of one file with the same key (fan id, message id, transaction id) but different
//! data would be written one after the other, and every import of the file would then report
//! the second as an update of the first and bump revisions. So the first row of a key wins and
//! each later one is rejected, naming the line it repeats: importing the same file twice then
//! changes nothing, on every path of both stores. The fans that messages and payments name are
//! kept the same way: the first row that names a fan gives its username and currency.
//!
//! Memory stays small for million-row files: each key is kept as a 64-bit hash (xxh3) with its
//! line, 12 bytes, in sorted arrays that each finished batch is merged into. A hash collision
//! (about one in 10^7 for a file of a million keys) would reject a row wrongly, and say which
//! line it took for the first.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// What one file has given so far: its records' keys, and the fans its rows named.
#[derive(Debug, Default)]
pub struct FileKeys {
    /// Keys of the records given, so a later row repeating one is rejected, naming the line.
    pub records: KeySet,
    /// Keys of the fans named, so the first row naming a fan gives its username and currency.
    pub fans: KeySet,
}

impl FileKeys {
    /// To be called as each batch is handed on, so that [`KeySet`]'s batch is the parser's.
    pub fn end_batch(&mut self) {
        self.records.end_batch();
        self.fans.end_batch();
    }
}

/// A set of keys, each with the line that gave it first.
#[derive(Debug, Default)]
pub struct KeySet {
    /// Keys of earlier batches: hashes in ascending order, each with its line.
    hashes: Vec<u64>,
    lines: Vec<u32>,
    /// Where each run of hashes with the same top [`INDEX_BITS`] bits starts in `hashes`
    /// (plus the end), so a lookup searches a few entries instead of the whole array.
    index: Vec<u32>,
    /// Keys of the batch being read.
    batch: HashMap<u64, u32, BuildHasherDefault<Spread>>,
}

/// Buckets of the lookup index: 2^16 of them (256 KiB), a dozen keys each at a million.
const INDEX_BITS: u32 = 16;

/// Hashes a key that is already a 64-bit hash: as it is.
#[derive(Debug, Default)]
struct Spread(u64);

impl Hasher for Spread {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl KeySet {
    /// Records `key` as given by the row on `line`; the line of the earlier row when the file
    /// gave it before.
    pub fn first(&mut self, key: &str, line: u64) -> Result<(), u64> {
        let hash = xxhash_rust::xxh3::xxh3_64(key.as_bytes());
        if let Some(bucket) = self.index.get(bucket(hash)..=bucket(hash) + 1) {
            let (from, to) = (bucket[0] as usize, bucket[1] as usize);
            if let Ok(at) = self.hashes[from..to].binary_search(&hash) {
                return Err(u64::from(self.lines[from + at]));
            }
        }
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        match self.batch.entry(hash) {
            std::collections::hash_map::Entry::Occupied(earlier) => Err(u64::from(*earlier.get())),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(line);
                Ok(())
            }
        }
    }

    /// Moves the batch's keys into the sorted arrays (merged from the back, in place).
    pub fn end_batch(&mut self) {
        let mut new: Vec<(u64, u32)> = self.batch.drain().collect();
        new.sort_unstable();
        let old = self.hashes.len();
        self.hashes.resize(old + new.len(), 0);
        self.lines.resize(old + new.len(), 0);
        let (mut i, mut j) = (old, new.len());
        while j > 0 {
            let k = i + j - 1;
            if i > 0 && self.hashes[i - 1] > new[j - 1].0 {
                i -= 1;
                self.hashes[k] = self.hashes[i];
                self.lines[k] = self.lines[i];
            } else {
                j -= 1;
                (self.hashes[k], self.lines[k]) = new[j];
            }
        }
        // Positions fit in u32: a file of over four billion keys would not fit in memory here.
        self.index.clear();
        let mut at = 0usize;
        for b in 0..=(1usize << INDEX_BITS) {
            while at < self.hashes.len() && bucket(self.hashes[at]) < b {
                at += 1;
            }
            self.index.push(at as u32);
        }
    }
}

fn bucket(hash: u64) -> usize {
    (hash >> (64 - INDEX_BITS)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_refused_after_its_first_row_within_and_across_batches() {
        let mut keys = KeySet::default();
        for i in 0..1000u64 {
            assert_eq!(keys.first(&format!("k{i}"), i + 2), Ok(()));
            if i % 97 == 0 {
                keys.end_batch();
            }
        }
        assert_eq!(keys.first("k5", 2000), Err(7), "in an earlier batch");
        assert_eq!(keys.first("k999", 2001), Err(1001), "in this batch");
        keys.end_batch();
        assert_eq!(keys.first("k999", 2002), Err(1001));
        assert!(keys.hashes.windows(2).all(|w| w[0] < w[1]), "kept sorted");
        assert_eq!(keys.first("new", 2003), Ok(()));
    }
}
