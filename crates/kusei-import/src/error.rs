//! Import errors. Display is one line naming the file and the reason.

/// The file name used by [`crate::decode`], which does not know the real one.
pub const STDIN_NAME: &str = "<input>";

/// Why a document could not be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Zero bytes, or only whitespace.
    #[error("{file}: empty input, not a document")]
    Empty { file: String },
    /// NUL bytes (without a UTF-16 byte-order mark).
    #[error("{file}: binary data (NUL bytes at offset {offset}), not a text document")]
    Binary { file: String, offset: usize },
    /// Decoded, but full of control characters.
    #[error("{file}: binary data ({count} control characters, first at byte {offset}), not a text document")]
    ControlChars {
        file: String,
        count: usize,
        offset: usize,
    },
    /// Not valid in any supported encoding.
    #[error("{file}: cannot decode as UTF-8, Shift_JIS (CP932) or EUC-JP (invalid byte sequence near offset {offset})")]
    Undecodable { file: String, offset: usize },
    /// A byte-order mark announces an encoding the data does not follow.
    #[error("{file}: invalid {encoding} data after its byte-order mark (near offset {offset})")]
    BadBom {
        file: String,
        encoding: &'static str,
        offset: usize,
    },
    /// The path is a directory.
    #[error("{file}: is a directory, not a document file")]
    IsDirectory { file: String },
    /// The file could not be read.
    #[error("{file}: cannot read: {message}")]
    Io {
        file: String,
        message: String,
        #[source]
        source: std::io::Error,
    },
    /// Decoded text whose structure matches no known family.
    #[error("{file}: not a recognised plan document ({reason})")]
    Unrecognised { file: String, reason: String },
}

impl ImportError {
    /// The file the error is about.
    pub fn file(&self) -> &str {
        match self {
            ImportError::Empty { file }
            | ImportError::Binary { file, .. }
            | ImportError::ControlChars { file, .. }
            | ImportError::Undecodable { file, .. }
            | ImportError::BadBom { file, .. }
            | ImportError::IsDirectory { file }
            | ImportError::Io { file, .. }
            | ImportError::Unrecognised { file, .. } => file,
        }
    }

    /// The same error about another file name.
    pub fn with_file(mut self, name: &str) -> Self {
        match &mut self {
            ImportError::Empty { file }
            | ImportError::Binary { file, .. }
            | ImportError::ControlChars { file, .. }
            | ImportError::Undecodable { file, .. }
            | ImportError::BadBom { file, .. }
            | ImportError::IsDirectory { file }
            | ImportError::Io { file, .. }
            | ImportError::Unrecognised { file, .. } => *file = name.to_string(),
        }
        self
    }

    /// A stable code for the reason (for JSON error reports).
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Empty { .. } => "empty",
            ImportError::Binary { .. } | ImportError::ControlChars { .. } => "binary",
            ImportError::Undecodable { .. } | ImportError::BadBom { .. } => "undecodable",
            ImportError::IsDirectory { .. } => "is_directory",
            ImportError::Io { .. } => "io",
            ImportError::Unrecognised { .. } => "unrecognised",
        }
    }
}
