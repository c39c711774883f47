#!/usr/bin/env python3
"""Runs a command on a real pseudo-terminal and prints what the terminal showed, as JSON.

Used by the CLI's terminal tests (Tests/SluiceTests/TerminalTests.swift): the command's stdin, stdout
and stderr are the pty (its controlling terminal too, so /dev/tty prompts land there), unless --stdin
or --slow-stdin replace stdin.

    pty-run.py --cols 80 [--type 'PROMPT=>TEXT' ...] [--stdin FILE] [--slow-stdin N] [--resize K:COLS] -- CMD ARG...

--type waits until PROMPT has appeared (past earlier prompts) and types TEXT and a newline.
--slow-stdin feeds N blocks of 256 KiB through a pipe, 0.25 s apart; --resize K:COLS sets the
terminal to COLS columns (the kernel sends SIGWINCH) after block K.
Prints {"status": exit status or -signal, "output": everything the terminal showed (latin-1)}.
"""
import argparse
import fcntl
import json
import os
import pty
import select
import struct
import sys
import termios
import time


def set_size(fd, cols, rows=24):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cols", type=int, default=80)
    parser.add_argument("--type", action="append", default=[])
    parser.add_argument("--stdin")
    parser.add_argument("--slow-stdin", type=int, default=0)
    parser.add_argument("--resize")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    feed = os.pipe() if args.slow_stdin else None
    pid, master = pty.fork()
    if pid == 0:
        set_size(0, args.cols)
        if args.stdin:
            fd = os.open(args.stdin, os.O_RDONLY)
            os.dup2(fd, 0)
        if feed:
            os.close(feed[1])
            os.dup2(feed[0], 0)
        os.execvp(command[0], command)

    if feed:
        os.close(feed[0])
    output = bytearray()
    prompts = [entry.split("=>", 1) for entry in args.type]
    searched = 0
    resize = tuple(int(x) for x in args.resize.split(":")) if args.resize else None
    blocks_sent = 0
    next_block = time.monotonic()
    block = bytes(range(256)) * 1024
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if feed and blocks_sent < args.slow_stdin and time.monotonic() >= next_block:
            os.write(feed[1], block)
            blocks_sent += 1
            next_block = time.monotonic() + 0.25
            if resize and blocks_sent == resize[0]:
                set_size(master, resize[1])
            if blocks_sent == args.slow_stdin:
                os.close(feed[1])
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            output += data
        if prompts:
            prompt, text = prompts[0]
            found = output.find(prompt.encode(), searched)
            if found >= 0:
                searched = found + len(prompt)
                time.sleep(0.1)
                os.write(master, text.encode() + b"\n")
                prompts.pop(0)
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
    json.dump({"status": code, "output": output.decode("latin-1")}, sys.stdout)


if __name__ == "__main__":
    main()
