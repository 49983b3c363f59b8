//! Starts the disk writes of a file the store is filling while it fills it.
//!
//! SQLite writes an ingest's pages to the WAL (and a checkpoint copies them into
//! the database file) through the page cache, and the fsync that makes them
//! durable comes only at the end. Linux starts writing dirty pages back on its
//! own only past a share of memory (10% by default), so on a machine with
//! memory to spare the whole file reaches the disk in that final fsync, while
//! nothing else runs. A [`Writeback`] asks the kernel every few milliseconds to
//! start writing the file's dirty pages (`sync_file_range(SYNC_FILE_RANGE_WRITE)`,
//! which does not wait), so the disk works while the CPU parses and analyses,
//! and the final fsync has little left to do. It changes no content and no
//! ordering guarantee: durability still comes from SQLite's own syncs.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

/// How often the dirty pages are handed to the disk.
const EVERY: Duration = Duration::from_millis(25);

/// A background thread starting the writeback of one file until dropped.
pub(crate) struct Writeback {
    stop: Option<mpsc::Sender<()>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Writeback {
    /// Starts the thread for `path` (a no-op without one or off Linux; the file
    /// may not exist yet).
    pub(crate) fn start(path: Option<PathBuf>) -> Writeback {
        let Some(path) = path.filter(|_| cfg!(target_os = "linux")) else {
            return Writeback {
                stop: None,
                handle: None,
            };
        };
        let (tx, rx) = mpsc::channel::<()>();
        let handle = std::thread::Builder::new()
            .name("writeback".into())
            .spawn(move || run(&path, &rx))
            .ok();
        Writeback {
            stop: Some(tx),
            handle,
        }
    }
}

impl Drop for Writeback {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(target_os = "linux")]
fn run(path: &std::path::Path, rx: &mpsc::Receiver<()>) {
    use std::os::fd::AsRawFd;
    let mut file = None;
    while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(EVERY) {
        if file.is_none() {
            file = std::fs::File::open(path).ok();
        }
        if let Some(f) = &file {
            start_writeback(f.as_raw_fd());
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn run(_path: &std::path::Path, _rx: &mpsc::Receiver<()>) {}

/// `sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE)`: starts writing the file's
/// dirty pages without waiting for them (errors are ignored: this only hurries
/// what the final fsync does anyway).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn start_writeback(fd: std::os::fd::RawFd) {
    // SAFETY: `fd` is an open descriptor owned by the caller for the whole call;
    // the call reads no memory of ours and only schedules I/O on that file.
    let _ = unsafe { libc::sync_file_range(fd, 0, 0, libc::SYNC_FILE_RANGE_WRITE) };
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;

    /// The thread follows a file created after it started and stops when
    /// dropped; without a path nothing starts.
    #[test]
    fn starts_on_a_later_file_and_stops_when_dropped() {
        assert!(Writeback::start(None).handle.is_none());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db-wal");
        let wb = Writeback::start(Some(path.clone()));
        assert_eq!(wb.handle.is_some(), cfg!(target_os = "linux"));
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(&vec![7u8; 1 << 20]).unwrap();
        drop(wb);
        f.sync_all().unwrap();
        assert_eq!(std::fs::read(&path).unwrap().len(), 1 << 20);
    }
}
