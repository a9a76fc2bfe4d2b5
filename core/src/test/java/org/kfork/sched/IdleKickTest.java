package org.kfork.sched;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdleKickTest {
    @Test
    void aKickAsksForOneWalkAndTwoKicksBeforeItForOne() {
        IdleKick k = new IdleKick();
        assertFalse(k.take(), "no signal yet: no walk");
        k.kick();
        k.kick();
        assertTrue(k.take());
        assertFalse(k.take(), "the walk took both kicks");
        k.kick();
        assertTrue(k.take(), "a kick after a take asks again");
    }

    @Test
    void aKickDuringAWalkIsKeptForTheNextWalk() throws InterruptedException {
        IdleKick k = new IdleKick();
        k.kick();
        assertTrue(k.take()); // the walk starts: the flag is clear before it reads a task
        Thread sender = new Thread(k::kick);
        sender.start();
        sender.join();
        assertTrue(k.take(), "the signal sent while the first walk ran is walked for");
    }
}
