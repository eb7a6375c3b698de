//! A pseudo-terminal for ferret's standard error, and a small model of the screen it draws on.
//! [`run_with_terminal_stderr`] runs a command whose standard error is the terminal (so ferret
//! sees a terminal there) while standard output stays a pipe, and returns every byte the terminal
//! received. [`Screen`] replays those bytes as a terminal would (auto-wrap at the last column,
//! carriage return, line feed, clearing and cursor-up sequences), so a test can read what a person
//! would see once the program is done.

use std::fs::File;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// What a command run at a terminal left behind.
pub struct TerminalRun {
    /// Its exit status.
    pub status: ExitStatus,
    /// Everything written to standard output (a pipe).
    pub stdout: Vec<u8>,
    /// Everything the terminal received on standard error.
    pub terminal: String,
}

/// A fresh pseudo-terminal pair of `cols` x `rows`, both ends closed on exec.
fn open_pty(cols: u16, rows: u16) -> (OwnedFd, OwnedFd) {
    let mut master: libc::c_int = -1;
    let mut slave: libc::c_int = -1;
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: `master` and `slave` are valid places for openpty to write the two descriptors;
    // a null name and null termios are allowed (no name is returned, default settings are used),
    // and `size` is a valid winsize that outlives the call.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    for fd in [master, slave] {
        // SAFETY: `fd` is a descriptor openpty just opened; F_SETFD only changes its flags.
        // Close-on-exec keeps commands that other tests spawn meanwhile from holding the terminal
        // open, which would keep the reader below from ever seeing its end.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    // SAFETY: both descriptors were just opened by openpty and nothing else owns them.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// Runs `cmd` with standard error on a `cols`-column terminal, standard input empty and
/// standard output a pipe.
pub fn run_with_terminal_stderr(mut cmd: Command, cols: u16) -> TerminalRun {
    let (master, slave) = open_pty(cols, 40);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave))
        .env("TERM", "xterm");
    let mut child = cmd.spawn().expect("the command starts");
    // The command holds the only other copy of the terminal's child end: once it exits, reading
    // the parent end ends with EIO.
    drop(cmd);
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut master = File::from(master);
        let mut buf = [0u8; 8192];
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_end(&mut stdout)
        .unwrap();
    let status = child.wait().unwrap();
    let mut terminal = Vec::new();
    // Everything the command wrote is in the terminal's buffer by now; the time-out only guards
    // against a descriptor some other process inherited after all.
    while let Ok(chunk) = rx.recv_timeout(Duration::from_secs(5)) {
        terminal.extend_from_slice(&chunk);
    }
    TerminalRun {
        status,
        stdout,
        terminal: String::from_utf8(terminal).expect("the terminal received UTF-8"),
    }
}

/// A terminal screen with unlimited scrollback, fed the bytes a program wrote.
pub struct Screen {
    cols: usize,
    lines: Vec<Vec<char>>,
    row: usize,
    col: usize,
    /// The last column was just written: the next character goes to the next line (as xterm
    /// and every terminal indicatif supports do).
    wrap_pending: bool,
}

impl Screen {
    /// Replays `text` on a screen `cols` wide. Panics on a control sequence it does not model,
    /// so a test never reads a screen the program did not draw.
    pub fn replay(text: &str, cols: u16) -> Self {
        let mut screen = Screen {
            cols: cols as usize,
            lines: vec![Vec::new()],
            row: 0,
            col: 0,
            wrap_pending: false,
        };
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    screen.col = 0;
                    screen.wrap_pending = false;
                }
                '\n' => {
                    screen.down();
                    screen.wrap_pending = false;
                }
                '\x1b' => {
                    assert_eq!(chars.next(), Some('['), "only CSI sequences are modelled");
                    let mut params = String::new();
                    let end = loop {
                        match chars.next() {
                            Some(p) if p.is_ascii_digit() || p == ';' || p == '?' => params.push(p),
                            Some(end) => break end,
                            None => panic!("an unfinished escape sequence"),
                        }
                    };
                    screen.csi(&params, end);
                }
                c if c.is_control() => panic!("control character {c:?} is not modelled"),
                c => screen.put(c),
            }
        }
        screen
    }

    /// The screen's lines, trailing blanks removed, blank lines left out.
    pub fn text_lines(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|l| l.iter().collect::<String>().trim_end().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }

    fn down(&mut self) {
        self.row += 1;
        if self.row == self.lines.len() {
            self.lines.push(Vec::new());
        }
    }

    fn put(&mut self, c: char) {
        if self.wrap_pending {
            self.down();
            self.col = 0;
            self.wrap_pending = false;
        }
        let line = &mut self.lines[self.row];
        if line.len() <= self.col {
            line.resize(self.col + 1, ' ');
        }
        line[self.col] = c;
        if self.col + 1 == self.cols {
            self.wrap_pending = true;
        } else {
            self.col += 1;
        }
    }

    fn csi(&mut self, params: &str, end: char) {
        let n = params.parse::<usize>().unwrap_or(0);
        match end {
            // Colours and styles do not move anything.
            'm' => {}
            // Cursor shown or hidden.
            'h' | 'l' if params.starts_with('?') => {}
            'K' => {
                let line = &mut self.lines[self.row];
                match n {
                    0 => line.truncate(self.col),
                    1 => line.iter_mut().take(self.col + 1).for_each(|c| *c = ' '),
                    _ => line.clear(),
                }
            }
            'J' if n == 0 => {
                self.lines[self.row].truncate(self.col);
                self.lines.truncate(self.row + 1);
            }
            'A' => {
                self.row = self.row.saturating_sub(n.max(1));
                self.wrap_pending = false;
            }
            'G' => {
                self.col = n.max(1).min(self.cols) - 1;
                self.wrap_pending = false;
            }
            other => panic!("escape sequence ESC[{params}{other} is not modelled"),
        }
    }
}
