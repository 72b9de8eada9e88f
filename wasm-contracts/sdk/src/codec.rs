//! The borsh shapes contracts exchange, without an allocator.
//!
//! Integers are little-endian, a string or byte vector is a `u32` length and
//! its bytes, a `bool` is one byte 0 or 1, a fixed array is its bytes, a
//! `Vec<T>` is a `u32` count and its elements.

/// Reads borsh values from a byte slice; every method returns `None` on
/// short or malformed input. A clone reads on from the same place.
#[derive(Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.rest.len() < n {
            return None;
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Some(head)
    }

    /// A fixed-size byte array, such as an account.
    pub fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    /// A `u8`.
    pub fn u8(&mut self) -> Option<u8> {
        let [byte] = self.array()?;
        Some(byte)
    }

    /// A `u32`.
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.array()?))
    }

    /// A `u64`.
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.array()?))
    }

    /// A `bool` (0 or 1; anything else is malformed).
    pub fn bool(&mut self) -> Option<bool> {
        match self.take(1)? {
            [0] => Some(false),
            [1] => Some(true),
            _ => None,
        }
    }

    /// A `Vec<u8>`, borrowed.
    pub fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u32()?).ok()?;
        self.take(n)
    }

    /// A `String`, borrowed; must be UTF-8.
    pub fn str(&mut self) -> Option<&'a str> {
        core::str::from_utf8(self.bytes()?).ok()
    }

    /// Ends reading: `None` if bytes are left over (borsh is exact).
    pub fn finish(self) -> Option<()> {
        self.rest.is_empty().then_some(())
    }
}

/// Writes borsh values into a caller-provided buffer; a write that does not
/// fit returns `None` and leaves the writer unchanged.
pub struct Writer<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Writer<'a> {
    /// A writer filling `buf` from the start.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// Raw bytes (a fixed array, or the body of a length-prefixed value).
    pub fn raw(&mut self, bytes: &[u8]) -> Option<&mut Self> {
        let end = self.len.checked_add(bytes.len())?;
        self.buf.get_mut(self.len..end)?.copy_from_slice(bytes);
        self.len = end;
        Some(self)
    }

    /// A `u32`.
    pub fn u32(&mut self, value: u32) -> Option<&mut Self> {
        self.raw(&value.to_le_bytes())
    }

    /// A `u64`.
    pub fn u64(&mut self, value: u64) -> Option<&mut Self> {
        self.raw(&value.to_le_bytes())
    }

    /// A `bool`.
    pub fn bool(&mut self, value: bool) -> Option<&mut Self> {
        self.raw(&[u8::from(value)])
    }

    /// A `Vec<u8>` or, with a string's bytes, a `String`.
    pub fn bytes(&mut self, value: &[u8]) -> Option<&mut Self> {
        let n = u32::try_from(value.len()).ok()?;
        let start = self.len;
        if self.u32(n).and_then(|w| w.raw(value)).is_none() {
            self.len = start;
            return None;
        }
        Some(self)
    }

    /// What has been written.
    pub fn as_slice(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

/// The value attached to a call, borsh `Vec<(String, u64)>` of (asset,
/// amount), read in place.
///
/// [`parse`](Self::parse) checks the whole list, so iterating cannot fail.
/// No bytes at all also read as no entries: a host may describe "nothing
/// attached" either way.
#[derive(Clone)]
pub struct Attachments<'a> {
    reader: Reader<'a>,
    left: u32,
}

impl<'a> Attachments<'a> {
    /// The entries in `bytes`; `None` if they are not exactly a borsh
    /// `Vec<(String, u64)>` (or no bytes).
    pub fn parse(bytes: &'a [u8]) -> Option<Self> {
        let mut reader = Reader::new(bytes);
        if bytes.is_empty() {
            return Some(Self { reader, left: 0 });
        }
        let left = reader.u32()?;
        let entries = reader.clone();
        for _ in 0..left {
            reader.str()?;
            reader.u64()?;
        }
        reader.finish()?;
        Some(Self {
            reader: entries,
            left,
        })
    }

    /// How many entries are left to read.
    pub fn remaining(&self) -> u32 {
        self.left
    }

    /// The only entry, if there is exactly one.
    pub fn single(mut self) -> Option<(&'a str, u64)> {
        if self.left != 1 {
            return None;
        }
        self.next()
    }
}

impl<'a> Iterator for Attachments<'a> {
    type Item = (&'a str, u64);

    fn next(&mut self) -> Option<Self::Item> {
        self.left = self.left.checked_sub(1)?;
        Some((self.reader.str()?, self.reader.u64()?))
    }
}
