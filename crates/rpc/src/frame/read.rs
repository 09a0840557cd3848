//! Reading one frame off a connection.

use super::{FrameError, LEN_PREFIX, MAX_FRAME};
use bytes::Bytes;
use std::io::{self, Read};

// ANCHOR: read_frame
/// Read one frame from `r` and return its body.
///
/// `Ok(None)` means the peer closed the connection cleanly between
/// frames. The length is checked against [`MAX_FRAME`] before the
/// body's buffer exists, and the buffer then grows only as the bytes
/// arrive (`take` + `read_to_end`): a peer that announces 64 KiB and
/// sends 10 bytes makes us hold about 10 bytes, not 64 KiB.
pub fn read_frame(r: &mut impl Read) -> Result<Option<Bytes>, FrameError> {
    let mut prefix = [0u8; LEN_PREFIX];
    let got = read_full(r, &mut prefix)?;
    if got == 0 {
        return Ok(None);
    }
    if got < LEN_PREFIX {
        return Err(FrameError::ClosedMidFrame);
    }
    let len = u32::from_be_bytes(prefix) as usize;
    if len > MAX_FRAME {
        return Err(FrameError::TooLarge(len));
    }
    let mut body = Vec::new();
    r.take(len as u64)
        .read_to_end(&mut body)
        .map_err(FrameError::Io)?;
    if body.len() < len {
        return Err(FrameError::ClosedMidFrame);
    }
    Ok(Some(Bytes::from(body)))
}
// ANCHOR_END: read_frame

/// Like `read_exact`, but tells how many bytes came before EOF
/// instead of losing that in an `UnexpectedEof` error.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> Result<usize, FrameError> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..) {
        if rest.is_empty() {
            break;
        }
        match r.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(FrameError::Io(e)),
        }
    }
    Ok(filled)
}
