// npm run staff -- add EMAIL --role admin|editor   (password from standard input)
// npm run staff -- list
// npm run staff -- remove EMAIL
// npm run staff -- passwd EMAIL                    (password from standard input)
// Accounts for the staff desk (/staff). Works while the server runs.
import { hashPassword, normaliseEmail, passwordProblem } from '../staff/password.ts';
import { parseArgs, runMain } from './args.ts';
import { openDeskStores, readSecret } from './desk-store.ts';

const USAGE = [
  'usage: npm run staff -- add EMAIL --role admin|editor   (the password is read from standard input)',
  '       npm run staff -- list',
  '       npm run staff -- remove EMAIL',
  '       npm run staff -- passwd EMAIL                    (the new password is read from standard input)',
].join('\n');

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(process.argv.slice(2), [], ['role']);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { opts, rest } = parsed;
  const [command, emailArg] = rest;
  if (!['add', 'list', 'remove', 'passwd'].includes(command ?? '') || (command !== 'list' && !emailArg)) {
    console.error(USAGE);
    return 2;
  }
  const email = command === 'list' ? null : normaliseEmail(emailArg);
  if (command !== 'list' && !email) {
    console.error(`not an email address: "${emailArg}"`);
    return 2;
  }
  const role = opts.role;
  if (command === 'add' && role !== 'admin' && role !== 'editor') {
    console.error(`add needs --role admin or --role editor\n${USAGE}`);
    return 2;
  }
  let password = '';
  if (command === 'add' || command === 'passwd') {
    password = await readSecret('Password (at least 12 characters): ');
    const problem = passwordProblem(password);
    if (problem) {
      console.error(`refused: ${problem}`);
      return 1;
    }
  }
  const { store, catalogueStore } = await openDeskStores();
  try {
    const now = new Date();
    switch (command) {
      case 'add': {
        const ok = await catalogueStore.addStaff({ email: email!, role: role as 'admin' | 'editor', passwordHash: await hashPassword(password), createdAt: now });
        if (!ok) {
          console.error(`there is already an account for ${email}: use passwd to change its password`);
          return 1;
        }
        await catalogueStore.audit('command line', 'account added', `${email} (${role})`, now);
        console.log(`added ${email} (${role}): sign in at /staff/login`);
        return 0;
      }
      case 'list': {
        const all = await catalogueStore.listStaff();
        if (all.length === 0) console.log('no accounts yet: npm run staff -- add EMAIL --role admin');
        for (const a of all) console.log(`${a.email}\t${a.role}\tsince ${a.createdAt.toISOString().slice(0, 10)}`);
        return 0;
      }
      case 'remove': {
        if (!(await catalogueStore.removeStaff(email!))) {
          console.error(`no account for ${email}`);
          return 1;
        }
        await catalogueStore.audit('command line', 'account removed', email!, now);
        console.log(`removed ${email}; their sessions are ended`);
        return 0;
      }
      default: {
        if (!(await catalogueStore.setPassword(email!, await hashPassword(password)))) {
          console.error(`no account for ${email}`);
          return 1;
        }
        await catalogueStore.clearLoginFailures(email!);
        await catalogueStore.audit('command line', 'password changed', email!, now);
        console.log(`password changed for ${email}; their sessions are ended`);
        return 0;
      }
    }
  } finally {
    await store.close();
  }
}

runMain(main, 'staff: ');
