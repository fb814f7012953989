//! Byte-level encoding of the index: LEB128 varints, length-prefixed UTF-8
//! strings and lists.

use super::IndexError;

/// Appends values to a buffer.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub(crate) buf: Vec<u8>,
}

#[cfg_attr(not(feature = "build"), allow(dead_code))]
impl Writer {
    pub(crate) fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    pub(crate) fn signed(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.varint(s.len() as u64);
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.buf.push(1);
                self.str(s);
            }
            None => self.buf.push(0),
        }
    }

    pub(crate) fn strs<S: AsRef<str>>(&mut self, list: &[S]) {
        self.varint(list.len() as u64);
        for s in list {
            self.str(s.as_ref());
        }
    }

    pub(crate) fn pairs(&mut self, list: &[(String, String)]) {
        self.varint(list.len() as u64);
        for (a, b) in list {
            self.str(a);
            self.str(b);
        }
    }

    pub(crate) fn f32(&mut self, v: f32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
}

/// Reads values back, failing with the name of the section being read.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    section: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], section: &'static str) -> Self {
        Reader { bytes, pos: 0, section }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn truncated(&self) -> IndexError {
        IndexError::Truncated { section: self.section }
    }

    pub(crate) fn byte(&mut self) -> Result<u8, IndexError> {
        let b = *self.bytes.get(self.pos).ok_or_else(|| self.truncated())?;
        self.pos += 1;
        Ok(b)
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], IndexError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.bytes.len()).ok_or_else(|| self.truncated())?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn varint(&mut self) -> Result<u64, IndexError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(IndexError::Corrupt { section: self.section, what: "varint longer than 64 bits" })
    }

    pub(crate) fn usize(&mut self) -> Result<usize, IndexError> {
        usize::try_from(self.varint()?)
            .map_err(|_| IndexError::Corrupt { section: self.section, what: "count too large" })
    }

    pub(crate) fn signed(&mut self) -> Result<i64, IndexError> {
        let v = self.varint()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    pub(crate) fn str(&mut self) -> Result<String, IndexError> {
        let n = self.usize()?;
        let section = self.section;
        let bytes = self.bytes(n)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| IndexError::Corrupt { section, what: "string is not UTF-8" })
    }

    pub(crate) fn opt_str(&mut self) -> Result<Option<String>, IndexError> {
        Ok(if self.byte()? == 1 { Some(self.str()?) } else { None })
    }

    pub(crate) fn strs(&mut self) -> Result<Vec<String>, IndexError> {
        let n = self.usize()?;
        (0..n).map(|_| self.str()).collect()
    }

    pub(crate) fn pairs(&mut self) -> Result<Vec<(String, String)>, IndexError> {
        let n = self.usize()?;
        (0..n).map(|_| Ok((self.str()?, self.str()?))).collect()
    }

    pub(crate) fn f32(&mut self) -> Result<f32, IndexError> {
        let b = self.bytes(4)?;
        Ok(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let mut w = Writer::default();
        for v in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            w.varint(v);
        }
        for v in [0i64, -1, 1, -1_795_485_600, i64::MIN, i64::MAX] {
            w.signed(v);
        }
        w.str("充值 deposit");
        w.opt_str(None);
        w.opt_str(Some(""));
        w.f32(0.25);
        let mut r = Reader::new(&w.buf, "test");
        for v in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(r.varint().unwrap(), v);
        }
        for v in [0i64, -1, 1, -1_795_485_600, i64::MIN, i64::MAX] {
            assert_eq!(r.signed().unwrap(), v);
        }
        assert_eq!(r.str().unwrap(), "充值 deposit");
        assert_eq!(r.opt_str().unwrap(), None);
        assert_eq!(r.opt_str().unwrap(), Some(String::new()));
        assert_eq!(r.f32().unwrap(), 0.25);
        assert!(r.is_empty());
        assert!(matches!(r.byte(), Err(IndexError::Truncated { section: "test" })));
    }
}
