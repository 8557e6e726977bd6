//! On Windows the program is built as a GUI program, so no console window
//! flashes up at the counter. Started from a console (`huashu.exe check`),
//! it attaches to that console so the commands' output appears there;
//! output redirected to a file or pipe is left alone.

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
