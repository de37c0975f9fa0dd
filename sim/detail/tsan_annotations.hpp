// Happens-before annotations for ThreadSanitizer. Debian's libtbb is not
// built with TSan, so the synchronisation inside a parallel_for join or an
// arena's task queue is invisible to it and every hand-off would be reported
// as a race. These markers state those edges explicitly; in normal builds
// they compile to nothing. Private to the project.
#pragma once

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* address);
extern "C" void __tsan_release(void* address);
#define DLSIM_HAPPENS_BEFORE(address) __tsan_release(const_cast<void*>(static_cast<const volatile void*>(address)))
#define DLSIM_HAPPENS_AFTER(address) __tsan_acquire(const_cast<void*>(static_cast<const volatile void*>(address)))
#else
#define DLSIM_HAPPENS_BEFORE(address) ((void)0)
#define DLSIM_HAPPENS_AFTER(address) ((void)0)
#endif
