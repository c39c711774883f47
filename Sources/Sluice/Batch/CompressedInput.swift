import SystemPackage

/// What a pack batch does with input that is already compressed (`--skip-compressed`).
public enum CompressedInputPolicy: String, CaseIterable, Sendable {
    /// Pack everything; frames that do not shrink are still stored raw, one by one.
    case pack
    /// Leave out files with a compressed type's extension, and files whose trial compression does not
    /// shrink them (``SkipReason/compressed``, ``SkipReason/doesNotShrink``).
    case skip
    /// Pack those files with the `store` codec: checksummed (and encrypted, with a key) but not
    /// compressed, at memory speed.
    case store
}

/// Recognising already-compressed files: by name first, then by a quick trial on the worker.
enum CompressedInput {
    /// Extensions of compressed archives, media and documents, lower case, without the dot.
    static let extensions: Set<String> = [
        "gz", "tgz", "bz2", "tbz", "tbz2", "xz", "txz", "lz", "lzma", "lz4", "zst", "zstd", "tzst", "br", "sz",
        "zip", "7z", "rar", "jar", "war", "apk", "ipa", "whl", "deb", "rpm", "cab", "dmg", "squashfs", "slc",
        "jpg", "jpeg", "png", "gif", "webp", "heic", "heif", "avif", "jxl",
        "mp3", "m4a", "aac", "ogg", "oga", "opus", "flac", "wma",
        "mp4", "m4v", "mkv", "mov", "avi", "webm", "wmv", "flv",
        "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "woff", "woff2",
    ]

    /// Whether `name` ends in one of ``extensions`` (case-insensitive).
    static func hasCompressedExtension(_ name: FilePath.Component) -> Bool {
        guard let ext = name.extension, !ext.isEmpty, ext.count <= 8 else { return false }
        return extensions.contains(ext.lowercased())
    }

    /// Bytes a trial compresses.
    static let trialSize = 64 << 10

    /// Whether a trial compression of `sample` with zstd-1 saves at least 1/64, the bar a frame must
    /// pass not to be stored raw (``SlcWriter/worthCompressing(_:plain:)``).
    static func shrinks(_ sample: UnsafeRawBufferPointer, context: CodecContext) -> Bool {
        guard sample.count >= 256 else { return true }
        let settings = try! CodecSettings(.zstd, level: 1)
        let room = UnsafeMutableRawBufferPointer.allocate(byteCount: Codec.zstd.bound(sample.count), alignment: 16)
        defer { room.deallocate() }
        guard let size = try? context.compress(sample, into: room, settings: settings) else { return false }
        return SlcWriter.worthCompressing(size, plain: sample.count)
    }
}
