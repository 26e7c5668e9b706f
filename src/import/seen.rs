//! The keys a file has already given, so that a key repeated within one file is refused.
//!
//! Two rows of one file with the same key (fan id, message id, transaction id) but different
//! data would be written one after the other, and every import of the file would then report
//! the second as an update of the first and bump revisions. So the first row of a key wins and
//! each later one is rejected, naming the line it repeats: importing the same file twice then
//! changes nothing, on every path of both stores. The fans that messages and payments name are
//! kept the same way: the first row that names a fan gives its username and currency.
//!
//! Memory stays flat for files of many millions of keys: each key is kept as a 64-bit hash
//! (xxh3) with its line, 12 bytes, in sorted arrays that each finished batch is merged into;
//! past [`SPILL_AT`] keys those arrays are written to a temporary file as a sorted run, and only
//! a filter of the run (10 bits a key) and one hash per block of it stay in memory. A key the
//! filter says a run may hold (about one in a hundred that it does not) costs one block read,
//! from the page cache as a rule. Runs of equal size are merged, so a lookup reads at most
//! log2 of their number. Nothing of the file but hashes and line numbers is written. A hash
//! collision (about one in 10^7 for a file of a million keys) would reject a row wrongly, and
//! say which line it took for the first.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// What one file has given so far: its records' keys, and the fans its rows named.
#[derive(Debug)]
pub struct FileKeys {
    /// Keys of the records given, so a later row repeating one is rejected, naming the line.
    pub records: KeySet,
    /// Keys of the fans named, so the first row naming a fan gives its username and currency.
    pub fans: KeySet,
}

impl Default for FileKeys {
    fn default() -> Self {
        Self::spilling_at(SPILL_AT)
    }
}

impl FileKeys {
    /// Sets that keep up to `keys` keys each in memory before spilling them to disk.
    pub fn spilling_at(keys: usize) -> Self {
        Self {
            records: KeySet::spilling_at(keys),
            fans: KeySet::spilling_at(keys),
        }
    }

    /// To be called as each batch is handed on, so that [`KeySet`]'s batch is the parser's;
    /// an error means the keys could not be kept (the temporary file failed) and the batch
    /// must not be written: its rows were checked against keys that could not be read.
    pub fn end_batch(&mut self) -> io::Result<()> {
        self.records.end_batch()?;
        self.fans.end_batch()
    }

    /// To be called before the last batch is handed on: the error a lookup met, if one did.
    pub fn check(&mut self) -> io::Result<()> {
        self.records.check()?;
        self.fans.check()
    }
}

/// Keys kept in memory before they are spilled to a sorted run on disk: 3 MiB of arrays
/// (`SOCIALCRM_IMPORT_SPILL_KEYS`).
pub const SPILL_AT: usize = 1 << 18;

/// A set of keys, each with the line that gave it first.
#[derive(Debug)]
pub struct KeySet {
    /// Keys of the latest batches: hashes in ascending order, each with its line.
    hashes: Vec<u64>,
    lines: Vec<u32>,
    /// Where each run of hashes with the same top [`INDEX_BITS`] bits starts in `hashes`
    /// (plus the end), so a lookup searches a few entries instead of the whole array.
    index: Vec<u32>,
    /// Keys of the batch being read.
    batch: HashMap<u64, u32, BuildHasherDefault<Spread>>,
    /// Older keys, on disk, largest (oldest) first.
    runs: Vec<Run>,
    /// How many keys `hashes` may hold before they are spilled.
    spill_at: usize,
    /// The first error reading or writing a run: [`KeySet::check`] reports it.
    failed: Option<io::Error>,
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
    fn spilling_at(spill_at: usize) -> Self {
        Self {
            hashes: Vec::new(),
            lines: Vec::new(),
            index: Vec::new(),
            batch: HashMap::default(),
            runs: Vec::new(),
            spill_at,
            failed: None,
        }
    }

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
        for run in &mut self.runs {
            match run.line_of(hash) {
                Ok(Some(earlier)) => return Err(u64::from(earlier)),
                Ok(None) => {}
                Err(e) => {
                    // Taken as new, and reported before this batch can be written.
                    self.failed.get_or_insert(e);
                }
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

    /// The error a lookup met since the set was made, if one did.
    pub fn check(&mut self) -> io::Result<()> {
        self.failed.take().map_or(Ok(()), Err)
    }

    /// Moves the batch's keys into the sorted arrays (merged from the back, in place), and
    /// spills those to a run once they hold enough.
    pub fn end_batch(&mut self) -> io::Result<()> {
        self.check()?;
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
        if self.hashes.len() >= self.spill_at {
            self.spill()?;
        }
        // Positions fit in u32: the arrays hold at most `spill_at` keys.
        self.index.clear();
        let mut at = 0usize;
        for b in 0..=(1usize << INDEX_BITS) {
            while at < self.hashes.len() && bucket(self.hashes[at]) < b {
                at += 1;
            }
            self.index.push(at as u32);
        }
        Ok(())
    }

    /// Writes the in-memory keys as a run, then merges the newest runs while the one before
    /// is no larger (as a binary counter carries), so a lookup reads at most log2 of them.
    fn spill(&mut self) -> io::Result<()> {
        let keys = self.hashes.iter().copied().zip(self.lines.iter().copied());
        let run = Run::write(self.hashes.len(), keys)?;
        self.hashes = Vec::new();
        self.lines = Vec::new();
        self.runs.push(run);
        while let [.., older, newer] = &mut self.runs[..] {
            if older.len > newer.len {
                break;
            }
            let merged = Run::merge(older, newer)?;
            self.runs.pop();
            self.runs.pop();
            self.runs.push(merged);
        }
        Ok(())
    }
}

fn bucket(hash: u64) -> usize {
    (hash >> (64 - INDEX_BITS)) as usize
}

/// Bytes of a key on disk: its hash and its line, little-endian.
const RECORD: usize = 12;

/// Keys of a run per block: the unit read for a lookup (6 KiB).
const BLOCK: usize = 512;

/// Keys spilled to disk in ascending hash order, with what finds them without reading the
/// file: a filter, and the first hash of each block.
#[derive(Debug)]
struct Run {
    /// An unnamed temporary file: it goes away with the process, however that ends.
    file: File,
    len: usize,
    filter: Filter,
    fences: Vec<u64>,
    block: Vec<u8>,
}

impl Run {
    /// Writes `len` keys given in ascending hash order.
    fn write(len: usize, keys: impl Iterator<Item = (u64, u32)>) -> io::Result<Run> {
        let mut file = BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
        let mut filter = Filter::for_keys(len);
        let mut fences = Vec::with_capacity(len.div_ceil(BLOCK));
        for (n, (hash, line)) in keys.enumerate() {
            if n % BLOCK == 0 {
                fences.push(hash);
            }
            filter.insert(hash);
            file.write_all(&hash.to_le_bytes())?;
            file.write_all(&line.to_le_bytes())?;
        }
        let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
        Ok(Run {
            file,
            len,
            filter,
            fences,
            block: Vec::new(),
        })
    }

    /// One run of both runs' keys; `a` is the older, so its line wins for a hash in both
    /// (which the lookups never let happen, but a merge must not depend on it).
    fn merge(a: &mut Run, b: &mut Run) -> io::Result<Run> {
        let len = a.len + b.len;
        let mut a = Records::of(a)?.peekable();
        let mut b = Records::of(b)?.peekable();
        let mut failed = None;
        let keys = std::iter::from_fn(|| {
            let next = match (a.peek(), b.peek()) {
                (Some(Ok(x)), Some(Ok(y))) if y.0 < x.0 => b.next(),
                (Some(_), _) => a.next(),
                (None, _) => b.next(),
            };
            match next? {
                Ok(key) => Some(key),
                Err(e) => {
                    failed = Some(e);
                    None
                }
            }
        });
        let merged = Run::write(len, keys)?;
        match failed {
            Some(e) => Err(e),
            None => Ok(merged),
        }
    }

    /// The line kept for `hash`, reading the one block that would hold it.
    fn line_of(&mut self, hash: u64) -> io::Result<Option<u32>> {
        if !self.filter.may_hold(hash) {
            return Ok(None);
        }
        let Some(block) = self.fences.partition_point(|&f| f <= hash).checked_sub(1) else {
            return Ok(None);
        };
        let keys = BLOCK.min(self.len - block * BLOCK);
        self.block.resize(keys * RECORD, 0);
        self.file
            .seek(SeekFrom::Start((block * BLOCK * RECORD) as u64))?;
        self.file.read_exact(&mut self.block)?;
        let (mut low, mut high) = (0, keys);
        while low < high {
            let mid = (low + high) / 2;
            let (at, line) = record(&self.block[mid * RECORD..][..RECORD]);
            match at.cmp(&hash) {
                std::cmp::Ordering::Equal => return Ok(Some(line)),
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
            }
        }
        Ok(None)
    }
}

fn record(bytes: &[u8]) -> (u64, u32) {
    let (hash, line) = bytes.split_at(8);
    (
        u64::from_le_bytes(hash.try_into().unwrap_or_default()),
        u32::from_le_bytes(line.try_into().unwrap_or_default()),
    )
}

/// A run's keys read back in order, for a merge.
struct Records {
    reader: BufReader<File>,
    left: usize,
}

impl Records {
    fn of(run: &mut Run) -> io::Result<Records> {
        let mut file = run.file.try_clone()?;
        file.seek(SeekFrom::Start(0))?;
        Ok(Records {
            reader: BufReader::with_capacity(1 << 16, file),
            left: run.len,
        })
    }
}

impl Iterator for Records {
    type Item = io::Result<(u64, u32)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let mut bytes = [0u8; RECORD];
        Some(self.reader.read_exact(&mut bytes).map(|()| record(&bytes)))
    }
}

/// A blocked Bloom filter: each key sets [`PROBES`] bits of one 512-bit block, so a lookup
/// touches one cache line. At 10 bits a key about one key in a hundred that is not there
/// passes it.
#[derive(Debug)]
struct Filter {
    blocks: Vec<[u64; 8]>,
}

const PROBES: u32 = 7;

impl Filter {
    fn for_keys(keys: usize) -> Filter {
        Filter {
            blocks: vec![[0; 8]; (keys * 10).div_ceil(512).max(1)],
        }
    }

    /// The block and the bits in it for `hash`: the block from the high half (scaled to the
    /// number of blocks without a division), the bits from a multiplicative mix of the whole.
    fn probes(&self, hash: u64) -> (usize, impl Iterator<Item = (usize, u64)> + use<>) {
        let block = (((hash >> 32) * self.blocks.len() as u64) >> 32) as usize;
        let mut x = hash;
        let bits = (0..PROBES).map(move |_| {
            x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
            let bit = (x & 511) as usize;
            (bit / 64, 1u64 << (bit % 64))
        });
        (block, bits)
    }

    fn insert(&mut self, hash: u64) {
        let (block, bits) = self.probes(hash);
        for (word, bit) in bits {
            self.blocks[block][word] |= bit;
        }
    }

    fn may_hold(&self, hash: u64) -> bool {
        let (block, mut bits) = self.probes(hash);
        bits.all(|(word, bit)| self.blocks[block][word] & bit != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_refused_after_its_first_row_within_and_across_batches() {
        let mut keys = KeySet::spilling_at(SPILL_AT);
        for i in 0..1000u64 {
            assert_eq!(keys.first(&format!("k{i}"), i + 2), Ok(()));
            if i % 97 == 0 {
                keys.end_batch().expect("kept");
            }
        }
        assert_eq!(keys.first("k5", 2000), Err(7), "in an earlier batch");
        assert_eq!(keys.first("k999", 2001), Err(1001), "in this batch");
        keys.end_batch().expect("kept");
        assert_eq!(keys.first("k999", 2002), Err(1001));
        assert!(keys.hashes.windows(2).all(|w| w[0] < w[1]), "kept sorted");
        assert_eq!(keys.first("new", 2003), Ok(()));
    }

    #[test]
    fn spilled_keys_are_refused_with_their_line_after_runs_are_merged() {
        let mut keys = KeySet::spilling_at(300);
        for i in 0..5_000u64 {
            assert_eq!(keys.first(&format!("k{i}"), i + 2), Ok(()), "k{i} is new");
            if i % 97 == 96 {
                keys.end_batch().expect("spilled");
            }
        }
        keys.end_batch().expect("spilled");
        assert!(!keys.runs.is_empty(), "some keys are on disk");
        assert!(keys.runs.len() <= 5, "merged: {} runs", keys.runs.len());
        assert_eq!(
            keys.runs.iter().map(|r| r.len).sum::<usize>() + keys.hashes.len(),
            5_000
        );
        for i in (0..5_000u64).step_by(7) {
            assert_eq!(keys.first(&format!("k{i}"), 9_999), Err(i + 2), "k{i}");
        }
        for i in 5_000..15_000u64 {
            assert_eq!(keys.first(&format!("k{i}"), i + 2), Ok(()), "k{i} is new");
        }
        assert!(keys.check().is_ok());
    }

    #[test]
    fn the_filter_passes_every_key_it_holds_and_few_it_does_not() {
        let mut filter = Filter::for_keys(10_000);
        let hash = |i: u64| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes());
        (0..10_000).for_each(|i| filter.insert(hash(i)));
        assert!((0..10_000).all(|i| filter.may_hold(hash(i))));
        let passed = (10_000..110_000)
            .filter(|&i| filter.may_hold(hash(i)))
            .count();
        assert!(passed < 2_500, "{passed} of 100,000 absent keys passed");
    }
}
