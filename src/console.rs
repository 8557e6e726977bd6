//! On Windows the program is built as a GUI program, so no console window
//! flashes up at the counter. Started from a console (`huashu.exe check`),
//! it attaches to that console so the commands' output appears there;
//! output redirected to a file or pipe is left alone. Without a console, a
//! fatal error is shown in a message box.

/// Attaches to the console of the parent process when there is no
/// standard output (Windows); elsewhere nothing to do.
#[cfg(windows)]
#[allow(
    unsafe_code,
    reason = "two Win32 calls that take and return plain values; no pointers are passed"
)]
pub fn attach_parent_console() {
    use windows_sys::Win32::Foundation::INVALID_HANDLE_VALUE;
    use windows_sys::Win32::System::Console::{
        ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_OUTPUT_HANDLE,
    };
    // SAFETY: GetStdHandle has no preconditions and only returns a handle.
    let out = unsafe { GetStdHandle(STD_OUTPUT_HANDLE) };
    if out.is_null() || out == INVALID_HANDLE_VALUE {
        // SAFETY: AttachConsole takes a process id constant; failure (no
        // parent console, e.g. started from Explorer) is harmless.
        unsafe {
            AttachConsole(ATTACH_PARENT_PROCESS);
        }
    }
}

/// Attaches to the console of the parent process when there is no
/// standard output (Windows); elsewhere nothing to do.
#[cfg(not(windows))]
pub fn attach_parent_console() {}

/// Shows `text` to a person: on stderr, and on Windows also in a message
/// box (a counter PC has no console to read stderr from).
pub fn show_error(text: &str) {
    eprintln!("huashu: error: {text}");
    message_box(text);
}

#[cfg(windows)]
#[allow(
    unsafe_code,
    reason = "one Win32 call with two NUL-terminated UTF-16 strings that outlive it"
)]
fn message_box(text: &str) {
    use windows_sys::Win32::UI::WindowsAndMessaging::{MB_ICONERROR, MB_OK, MessageBoxW};
    let wide = |s: &str| s.encode_utf16().chain([0]).collect::<Vec<u16>>();
    let (text, title) = (wide(text), wide("话术助手"));
    // SAFETY: both pointers are to live NUL-terminated buffers; a null
    // owner window is allowed.
    unsafe {
        MessageBoxW(
            std::ptr::null_mut(),
            text.as_ptr(),
            title.as_ptr(),
            MB_OK | MB_ICONERROR,
        );
    }
}

#[cfg(not(windows))]
fn message_box(_: &str) {}
