package org.kfork.sched;

/**
 * The RCU token of the call the calling Java thread makes (what its syscall layer entered RCU's
 * system-call section with), for a sleep deep inside a call that no argument carries the token
 * to: zap_pid_ns_processes, inside do_exit. A sleep reports the token to RCU (a context switch
 * is a quiescent state) and gets a new one, which must go back to the call. Outside any call
 * (close, or the exits run at a call's end) it is {@link WaitResult#NO_RCU}.
 */
public interface CallRcuToken {
    /** The token of this thread's call, or {@link WaitResult#NO_RCU} outside any call. */
    int get();

    /** The token this thread's call holds from now on (after a sleep). */
    void set(int token);

    /**
     * The part of a syscall layer's per-thread call frame that RCU's token lives in: how deep
     * the thread is in calls (0 outside any) and the token its call holds.
     */
    class Frame {
        /** Calls the thread is inside: 0 or 1 (a Java thread makes one call at a time). */
        public int depth;
        /** The RCU token of the call; meaningful while {@link #depth} is not 0. */
        public int token;
    }

    /** The token kept in each thread's {@link Frame}, as a syscall layer keeps it. */
    static CallRcuToken of(ThreadLocal<? extends Frame> frames) {
        return new CallRcuToken() {
            @Override
            public int get() {
                final Frame f = frames.get();
                return f.depth == 0 ? WaitResult.NO_RCU : f.token;
            }

            @Override
            public void set(int token) {
                final Frame f = frames.get();
                if (f.depth == 0 && token != WaitResult.NO_RCU) {
                    throw new IllegalStateException("RCU token " + token + " outside any call");
                }
                f.token = token;
            }
        };
    }

    /** No syscall layer: no call holds a token. */
    CallRcuToken NONE = new CallRcuToken() {
        @Override
        public int get() {
            return WaitResult.NO_RCU;
        }

        @Override
        public void set(int token) {
            if (token != WaitResult.NO_RCU) {
                throw new IllegalStateException("RCU token " + token + " outside any call");
            }
        }
    };
}
