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
