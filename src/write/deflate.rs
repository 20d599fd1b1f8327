//! Compressed pieces of a zip entry, each kept in a temporary file until the package is put
//! together: a raw deflate stream flushed to a byte but not ended, so that other pieces may come
//! before and after it ([`super::package`] ends the entry).

use std::fs::File;
use std::io::{self, Seek, Write};

use flate2::{Compress, Compression, FlushCompress, Status};

/// The fastest level: most of a large workbook's time went on compressing its sheets, and the
/// default level costs several times as much for a file a little smaller.
const LEVEL: u32 = 1;

/// A piece being compressed.
pub struct Deflater {
    compress: Compress,
    packed: Vec<u8>,
    crc: crc32fast::Hasher,
    length: u64,
    compressed: u64,
    file: io::BufWriter<File>,
}

/// A piece compressed: its bytes in `file`, from the start, and what the zip says of it.
pub struct Deflated {
    pub file: File,
    pub crc: crc32fast::Hasher,
    pub length: u64,
    pub compressed: u64,
}

impl Deflater {
    pub fn new() -> io::Result<Deflater> {
        Ok(Deflater {
            compress: compressor(),
            packed: Vec::new(),
            crc: crc32fast::Hasher::new(),
            length: 0,
            compressed: 0,
            file: io::BufWriter::with_capacity(super::WRITE_BUFFER, tempfile::tempfile()?),
        })
    }

    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.compressed_onto_file(bytes, FlushCompress::None)
    }

    /// The piece, flushed to a byte.
    pub fn finish(mut self) -> io::Result<Deflated> {
        self.compressed_onto_file(&[], FlushCompress::Sync)?;
        let mut file = self.file.into_inner().map_err(|error| error.into_error())?;
        file.rewind()?;
        Ok(Deflated {
            file,
            crc: self.crc,
            length: self.length,
            compressed: self.compressed,
        })
    }

    fn compressed_onto_file(&mut self, bytes: &[u8], flush: FlushCompress) -> io::Result<()> {
        deflate(&mut self.compress, bytes, flush, &mut self.packed)?;
        self.crc.update(bytes);
        self.length += bytes.len() as u64;
        self.compressed += self.packed.len() as u64;
        self.file.write_all(&self.packed)?;
        self.packed.clear();
        Ok(())
    }
}

/// A raw deflate compressor at annex's level.
pub fn compressor() -> Compress {
    Compress::new(Compression::new(LEVEL), false)
}

/// Compresses `input` onto the end of `out`: to the end of a block (`Sync`), of the stream
/// (`Finish`), or as far as the compressor likes (`None`).
pub fn deflate(
    compress: &mut Compress,
    mut input: &[u8],
    flush: FlushCompress,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    loop {
        out.reserve(input.len() / 2 + 4096);
        let before = compress.total_in();
        let status = (compress.compress_vec(input, out, flush)).map_err(io::Error::other)?;
        let used = usize::try_from(compress.total_in() - before).unwrap_or(input.len());
        input = input.get(used..).unwrap_or_default();
        let room_left = out.len() < out.capacity();
        let done = match flush {
            FlushCompress::Finish => status == Status::StreamEnd,
            _ => input.is_empty() && room_left,
        };
        if done {
            return Ok(());
        }
    }
}
