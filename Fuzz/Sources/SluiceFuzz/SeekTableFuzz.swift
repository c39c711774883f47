// The `seek-table` target (see SluiceFuzz.swift for the driver): the bytes as the end of a seekable zstd
// file, its seek table read as StandardFileLayout.read reads it.
@testable import Sluice

func fuzzSeekTable(_ data: UnsafeRawBufferPointer) {
    let bytes = Array(data)
    let fileSize = UInt64(bytes.count)
    do {
        guard let size = try ZstdSeekTable.tableFrameSize(footer: Array(bytes.suffix(ZstdSeekTable.footerSize))),
              UInt64(size) <= fileSize else { return }
        let frame = Array(bytes.suffix(size))
        let table = try ZstdSeekTable.decode(frame)
        // What decodes re-encodes to the same bytes but for the descriptor's two unused bits.
        var encoded = table.encoded()
        encoded[encoded.count - 5] |= frame[frame.count - 5] & 0x03
        guard encoded == frame else { fatalError("a seek table that does not re-encode to its bytes") }
        let jobs = try StandardFormatReader.jobs(table: table, fileSize: fileSize)
        // The frames and the table cover the file exactly, in order.
        var offset: UInt64 = 0
        for job in jobs {
            guard job.offset == offset, job.exactPlainSize == job.plainCapacity else { fatalError("job \(job.number) out of place") }
            offset += UInt64(job.storedSize)
        }
        guard offset + UInt64(size) == fileSize else { fatalError("the placements leave \(fileSize - offset) bytes for a \(size)-byte table") }
        _ = table.plainSize
    } catch {
        expectDecodeError(error)
    }
}
