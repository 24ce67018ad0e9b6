package dev.sockit.linux;

import com.sun.security.auth.module.UnixSystem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Looking accounts up through the C library. Switching is a process's for good: RunAsIT does it in a process of its own. */
class AccountTest {

    @Test
    void aUserByNameComesWithItsOwnGroup() {
        assertThat(Account.lookup("root")).isEqualTo(new Account("root", 0, 0, "root", true));
        assertThat(Account.lookup("root").toString()).isEqualTo("root (uid 0), group root (gid 0)");
    }

    @Test
    void aUserByNumberIsNamedAsTheSystemNamesIt() {
        assertThat(Account.lookup("0")).isEqualTo(new Account("root", 0, 0, "root", true));
        assertThat(Account.lookup("0:0")).isEqualTo(new Account("root", 0, 0, "root", true));
    }

    @Test
    void aGroupAfterTheColonReplacesTheUsersOwn() {
        UnixSystem me = new UnixSystem();
        Account a = Account.lookup("root:" + me.getGid());
        assertThat(a.uid()).isZero();
        assertThat(a.gid()).isEqualTo((int) me.getGid());
        assertThat(a.named()).isTrue();
    }

    @Test
    void aNumberWithNoUserIsAllowedWithAGroupAndHasNoSupplementaryGroups() {
        Account a = Account.lookup("3999999999:3999999998");
        assertThat(a).isEqualTo(new Account("3999999999", (int) 3_999_999_999L, (int) 3_999_999_998L, "3999999998", false));
        assertThat(a.toString()).isEqualTo("3999999999 (uid 3999999999), group 3999999998 (gid 3999999998)");
        assertThatThrownBy(() -> Account.lookup("3999999999"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no user with ID 3999999999 on this system: name its group too (3999999999:GROUP)");
    }

    @Test
    void unknownNamesAndMalformedSpecsAreOneClearLine() {
        assertThatThrownBy(() -> Account.lookup("no-such-user-sockit")).hasMessage("no user named 'no-such-user-sockit' on this system");
        assertThatThrownBy(() -> Account.lookup("root:no-such-group-sockit")).hasMessage("no group named 'no-such-group-sockit' on this system");
        for (String bad : new String[] {"", ":0", "root:", ":"}) {
            assertThatThrownBy(() -> Account.lookup(bad)).as(bad).hasMessage("expected USER or USER:GROUP, not '" + bad + "'");
        }
        // (uid_t) -1 is "leave unchanged" to setuid, not a user: it is looked up as a name, and there is none.
        assertThatThrownBy(() -> Account.lookup("4294967295")).hasMessage("no user named '4294967295' on this system");
    }

    @Test
    void theAccountThisProcessRunsAsIsCurrentAndSwitchingToItChangesNothing() throws Exception {
        UnixSystem me = new UnixSystem();
        Account mine = Account.lookup(me.getUid() + ":" + me.getGid());
        assertThat(mine.isCurrent()).isTrue();
        mine.switchTo();
        assertThat(new UnixSystem().getUid()).isEqualTo(me.getUid());
        Account other = Account.lookup((me.getUid() + 1) + ":" + me.getGid());
        assertThat(other.isCurrent()).isFalse();
    }
}
