/// Reusable objects (chunk slots, image buffers) handed between the stages of small-file jobs, so
/// that a tree of small files does not allocate and fault in fresh buffers for every file.
///
/// At most `retainedBytes` of capacity is kept for reuse; anything beyond is freed when returned.
final class ObjectPool<Object: AnyObject & Sendable>: Sendable {
    private let free = Monitor<(objects: [Object], bytes: Int)>(([], 0))
    private let make: @Sendable () -> Object
    private let size: @Sendable (Object) -> Int
    private let retainedBytes: Int

    init(retainedBytes: Int, make: @escaping @Sendable () -> Object, size: @escaping @Sendable (Object) -> Int) {
        self.retainedBytes = retainedBytes
        self.make = make
        self.size = size
    }

    func take() -> Object {
        let object = free.withLock { state -> Object? in
            guard let object = state.objects.popLast() else { return nil }
            state.bytes -= size(object)
            return object
        }
        return object ?? make()
    }

    func give(_ object: Object) {
        let bytes = size(object)
        free.withLock { state in
            guard state.bytes + bytes <= retainedBytes else { return }
            state.objects.append(object)
            state.bytes += bytes
        }
    }
}
