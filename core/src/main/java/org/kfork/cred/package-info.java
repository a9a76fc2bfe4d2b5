/**
 * Credential vocabulary shared by the off-heap kernel and the heap twins (kernel/cred.c,
 * kernel/user.c, kernel/ucount.c of 5.12): uids and the uid hash ({@link org.kfork.cred.Uids}),
 * the kinds of per-user namespace counts and their sysctls ({@link org.kfork.cred.UcountTypes}).
 * Capabilities themselves are uapi ({@link org.kfork.uapi.Capabilities}).
 */
package org.kfork.cred;
