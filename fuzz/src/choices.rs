//! The fuzzer's bytes read as a sequence of choices: each target takes
//! what it needs, and an input that runs out ends the run.

/// The bytes not read yet.
pub(crate) struct Choices<'a>(pub(crate) &'a [u8]);

impl Choices<'_> {
    /// The next byte; `None` when the input has run out.
    pub(crate) fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    /// One of `of` (which is not empty).
    pub(crate) fn pick<T: Copy>(&mut self, of: &[T]) -> Option<T> {
        Some(of[usize::from(self.byte()?) % of.len()])
    }

    /// An index below `len` (which is not 0).
    pub(crate) fn index(&mut self, len: usize) -> Option<usize> {
        Some(usize::from(self.byte()?) % len)
    }
}
