//! How the upload ledger recognises a file: a cheap fingerprint to find candidates, and a hash
//! of the whole content to be sure.
//!
//! The content hash is XXH3-128, written `xxh3:<hex>`: an upload hashes every byte it sends, and
//! on a fast link SHA-256 (1.5 GB/s with SHA-NI here) took more CPU than sending the file; BLAKE3
//! (3.7 GB/s) still a third of it; XXH3 runs at 20 GB/s. The hash tells the user's own files
//! apart to avoid posting one twice, an accidental-collision question, not an adversarial one:
//! the same choice rsync makes for its whole-file checksums (xxh128 since 3.2).
//! Ledger rows written before schema v6 say `sha256:<hex>`; [`hash_as`] still computes that
//! form so those rows keep matching.
//!
//! A new file is hashed [`Alongside`] its upload, from the very blocks read to be sent, on a
//! thread of its own: the file is read once, not twice.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use bytes::Bytes;
use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::Xxh3;

use crate::http::client::Watch;

const BLOCK: usize = 1 << 20;

/// SHA-256 of the size and the first and last MiB, in hex: the same file always has the same
/// fingerprint, so a file whose fingerprint the ledger lacks is new to it.
pub fn fingerprint(path: &Path, size: u64) -> std::io::Result<String> {
    const EDGE: u64 = BLOCK as u64;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    hasher.update(size.to_le_bytes());
    let mut buf = Vec::new();
    (&mut file).take(EDGE).read_to_end(&mut buf)?;
    if size > EDGE {
        file.seek(SeekFrom::Start(size.saturating_sub(EDGE).max(EDGE)))?;
        file.take(EDGE).read_to_end(&mut buf)?;
    }
    hasher.update(&buf);
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The content hash in the form `stored` uses (`sha256:` for rows older than schema v6,
/// `xxh3:` otherwise), so a file can be compared with any ledger row.
pub fn hash_as(path: &Path, stored: &str) -> std::io::Result<String> {
    if stored.starts_with("sha256:") {
        let mut hasher = Sha256::new();
        read_blocks(path, 0, |b| hasher.update(b))?;
        Ok(format!("sha256:{}", hex(&hasher.finalize())))
    } else {
        hash(path)
    }
}

/// `xxh3:<hex>` of the whole file.
pub fn hash(path: &Path) -> std::io::Result<String> {
    let mut hasher = Xxh3::new();
    read_blocks(path, 0, |b| hasher.update(b))?;
    Ok(text(&hasher))
}

/// The tagged form stored in the ledger: 32 hex digits of the 128-bit digest.
fn text(hasher: &Xxh3) -> String {
    format!("xxh3:{:032x}", hasher.digest128())
}

/// Feeds the file from `offset` to its end to `each`, a block at a time (memory does not grow
/// with the file).
fn read_blocks(path: &Path, offset: u64, mut each: impl FnMut(&[u8])) -> std::io::Result<()> {
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut buf = vec![0u8; BLOCK];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => each(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Where the watcher hands blocks to the hashing thread; `None` once hashing has finished.
type Feed = Arc<Mutex<Option<SyncSender<(u64, Bytes)>>>>;

/// Blocks waiting to be hashed: at most this many MiB are held while the hash catches up.
const QUEUE: usize = 16;

/// Hashes a file from the blocks its upload sends. Blocks come in file order (a retried chunk
/// sends some again: those already hashed are skipped); [`Alongside::finish`] hashes whatever
/// was not sent (the last chunk, which must not leave before the ledger knows the hash) from
/// the file itself.
pub struct Alongside {
    path: PathBuf,
    sender: Feed,
    thread: JoinHandle<(Xxh3, u64)>,
}

impl Alongside {
    pub fn start(path: &Path) -> Alongside {
        let (tx, rx) = sync_channel(QUEUE);
        Alongside {
            path: path.to_path_buf(),
            sender: Arc::new(Mutex::new(Some(tx))),
            thread: std::thread::spawn(move || hash_in_order(rx)),
        }
    }

    /// A watcher that shows the upload's position through `progress` and hands each block to
    /// the hashing thread.
    pub fn watch(&self, progress: impl Fn(u64) + Send + Sync + 'static) -> Arc<dyn Watch> {
        Arc::new(Tap {
            progress: Box::new(progress),
            sender: self.sender.clone(),
        })
    }

    /// Stops taking blocks and returns the hash of the whole file.
    pub fn finish(self) -> std::io::Result<String> {
        self.sender.lock().unwrap_or_else(|e| e.into_inner()).take();
        let (mut hasher, hashed) = self
            .thread
            .join()
            .map_err(|_| std::io::Error::other("hashing panicked"))?;
        read_blocks(&self.path, hashed, |b| hasher.update(b))?;
        Ok(text(&hasher))
    }
}

/// Hashes the received blocks while they continue the file; returns the hasher and how many
/// bytes from the start it has taken in.
fn hash_in_order(blocks: Receiver<(u64, Bytes)>) -> (Xxh3, u64) {
    let mut hasher = Xxh3::new();
    let mut next = 0u64;
    for (offset, block) in blocks {
        let end = offset + block.len() as u64;
        if offset <= next && end > next {
            hasher.update(&block[(next - offset) as usize..]);
            next = end;
        }
    }
    (hasher, next)
}

struct Tap {
    progress: Box<dyn Fn(u64) + Send + Sync>,
    sender: Feed,
}

impl Watch for Tap {
    fn position(&self, offset: u64) {
        (self.progress)(offset)
    }

    fn block(&self, offset: u64, block: &Bytes) {
        let sender = self
            .sender
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(sender) = sender {
            // A clone of `Bytes` shares the block; a closed channel just means hashing ended.
            let _ = sender.send((offset, block.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(len: usize) -> (tempfile::TempDir, PathBuf, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("video.mp4");
        let bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        (dir, path, bytes)
    }

    #[test]
    fn hashes_are_tagged_with_their_algorithm() {
        let (_dir, path, bytes) = file(3 * BLOCK + 17);
        let xxh = hash(&path).unwrap();
        assert_eq!(
            xxh,
            format!("xxh3:{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes))
        );
        assert_eq!(hash_as(&path, "xxh3:00").unwrap(), xxh);
        // `printf …| sha256sum` agrees with the legacy form.
        let legacy = hash_as(&path, "sha256:00").unwrap();
        assert_eq!(legacy, format!("sha256:{}", hex(&Sha256::digest(&bytes))));
    }

    #[test]
    fn alongside_equals_the_whole_file_hash_with_retries_and_an_unsent_tail() {
        let (_dir, path, bytes) = file(5 * BLOCK + 123);
        let alongside = Alongside::start(&path);
        let watch = alongside.watch(|_| {});
        let block = |from: usize, to: usize| Bytes::copy_from_slice(&bytes[from..to]);
        // Chunk 1 (two blocks), chunk 2 cut short after one block and sent again whole.
        watch.block(0, &block(0, BLOCK));
        watch.block(BLOCK as u64, &block(BLOCK, 2 * BLOCK));
        watch.block(2 * BLOCK as u64, &block(2 * BLOCK, 3 * BLOCK));
        watch.block(2 * BLOCK as u64, &block(2 * BLOCK, 3 * BLOCK));
        watch.block(3 * BLOCK as u64, &block(3 * BLOCK, 4 * BLOCK));
        // The last chunk is never sent before finish.
        assert_eq!(alongside.finish().unwrap(), hash(&path).unwrap());
        // Blocks after finish are ignored, not a panic.
        watch.block(0, &block(0, 10));
    }

    #[test]
    fn a_gap_in_the_blocks_is_filled_from_the_file() {
        let (_dir, path, bytes) = file(3 * BLOCK);
        let alongside = Alongside::start(&path);
        let watch = alongside.watch(|_| {});
        watch.block(BLOCK as u64, &Bytes::copy_from_slice(&bytes[BLOCK..]));
        assert_eq!(alongside.finish().unwrap(), hash(&path).unwrap());
    }
}
