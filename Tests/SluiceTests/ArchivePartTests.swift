import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// `pack DIR --archive --shard I/N`: one archive part per shard (docs/scale-out.md, *Archive parts*),
/// through the CLI.
@Suite struct ArchivePartTests {
    /// The members of archives, from `list --json`: (type, path, link).
    static func members(_ archives: [String]) throws -> [(type: String, path: String, link: String?)] {
        let listed = try BatchTesting.cli(["list", "--json"] + archives)
        #expect(listed.status == 0, "\(listed.stderr)")
        return try listed.stdout.split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (object["type"] as! String, object["path"] as! String, object["link"] as? String)
        }
    }

    @Test func partsHoldEveryMemberOnceAndRestoreTheTree() throws {
        let scratch = try Scratch()
        try ShardTests.makeTree(scratch, files: 40)
        try scratch.directory("in/empty-dir")
        try FileManager.default.linkItem(atPath: scratch.path("in/d0/e0/f0.txt"), toPath: scratch.path("in/d3/hard"))
        try FileManager.default.createSymbolicLink(atPath: scratch.path("in/d1/soft"), withDestinationPath: "../d0/e0/f0.txt")
        let whole = try BatchTesting.cli(["pack", scratch.path("in"), "--archive", "-o", scratch.path("whole.tar.slc"), "-q"])
        #expect(whole.status == 0, "\(whole.stderr)")
        for index in 0..<4 {
            // Part 3 as a Slurm task would run it: --shard auto.
            let shard = index == 3 ? ["--shard", "auto", "--shards", "4"] : ["--shard", "\(index)/4"]
            let run = try BatchTesting.cli(
                ["pack", scratch.path("in"), "--archive", "-o", scratch.path("t.tar.slc"), "-q"] + shard,
                environment: index == 3 ? ["SLURM_ARRAY_TASK_ID": "3"] : [:])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let parts = (0..<4).map { scratch.path("t.part-\($0)-of-4.tar.slc") }
        #expect(!scratch.exists("t.tar.slc"))
        // Every member that is not a directory is in exactly one part, the one its name hashes to (a
        // hard link: its target's); every directory is in every part.
        let all = try Self.members([scratch.path("whole.tar.slc")])
        var seen: [String: Int] = [:]
        for (index, part) in parts.enumerated() {
            let members = try Self.members([part])
            #expect(members.filter { $0.type == "directory" }.map(\.path) == all.filter { $0.type == "directory" }.map(\.path))
            for member in members where member.type != "directory" {
                #expect(seen.updateValue(index, forKey: member.path) == nil, "\(member.path) in two parts")
                let key = member.type == "hardlink" ? member.link! : member.path
                #expect(Shard.index(ofKey: Array(key.utf8), count: 4) == index, "\(member.path)")
            }
        }
        #expect(seen.keys.sorted() == all.filter { $0.type != "directory" }.map(\.path).sorted())
        let hard = try #require(all.first { $0.type == "hardlink" })
        #expect(seen[hard.path] == seen[hard.link!], "a hard link goes with its file")
        #expect(Set(seen.values).count == 4)
        // list and verify take the parts together; unpack extracts them all into one directory.
        #expect(try Self.members(parts).count == all.count + 3 * all.filter { $0.type == "directory" }.count)
        let verify = try BatchTesting.cli(["verify", "-q"] + parts)
        #expect(verify.status == 0, "\(verify.stderr)")
        let back = try BatchTesting.cli(["unpack"] + parts + ["-o", scratch.path("back"), "-q"])
        #expect(back.status == 0, "\(back.stderr)")
        let single = try BatchTesting.cli(["unpack", scratch.path("whole.tar.slc"), "-o", scratch.path("single"), "-q"])
        #expect(single.status == 0)
        BatchRoundTripTests.expectSameTree(scratch, "single", "back")
        // Members are named as the tree was given: the absolute path without its leading `/`.
        let tree = "back/" + scratch.path("in").drop { $0 == "/" }
        #expect(scratch.exists("\(tree)/empty-dir"))
        let restored = try FileManager.default.attributesOfItem(atPath: scratch.path("\(tree)/d3/hard"))
        let original = try FileManager.default.attributesOfItem(atPath: scratch.path("\(tree)/d0/e0/f0.txt"))
        #expect(restored[.systemFileNumber] as? Int == original[.systemFileNumber] as? Int, "the hard link is restored as one")
    }

    @Test func partOptionsThatDoNotApplyAreRefused() throws {
        let scratch = try Scratch()
        try scratch.text("in/a.txt", lines: 10)
        for extra in [["--shard", "0/2", "--manifest", scratch.path("m.jsonl")], ["--shard", "0/2", "--shard-split", "1M"], ["--manifest", scratch.path("m.jsonl")]] {
            let run = try BatchTesting.cli(["pack", scratch.path("in"), "--archive", "-o", scratch.path("t.tar.slc")] + extra)
            #expect(run.status == 64 && run.stderr.contains("--archive"), "\(extra): \(run.stderr)")
        }
        let tar = try BatchTesting.cli(["pack", scratch.path("in/a.txt"), "--archive", "--from-tar", "--shard", "0/2", "-o", scratch.path("t.tar.slc")])
        #expect(tar.status == 64 && tar.stderr.contains("--from-tar"), "\(tar.stderr)")
        // -o with several inputs is for archives only.
        let files = try BatchTesting.cli(["unpack", scratch.path("in/a.txt"), scratch.path("in/a.txt"), "-o", scratch.path("x")])
        #expect(files.status == 64, "\(files.stderr)")
        #expect(!scratch.exists("t.tar.slc") && !scratch.exists("t.part-0-of-2.tar.slc"))
    }
}
