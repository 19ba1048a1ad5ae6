import type { KubeObject } from '../../../api/meta.js';
import type { TableConvertor } from '../types.js';
import { doc } from './docs.js';
import { age, ageColumn, arr, col, createdAtColumn, nameColumn, rec, str } from './format.js';

export const roleTable: TableConvertor = {
  columns: [nameColumn, createdAtColumn],
  cells: (obj) => [obj.metadata?.name ?? '', obj.metadata?.creationTimestamp ?? null],
};

/** Users, groups and `namespace/name` service accounts of a binding (rbac.SubjectsStrings). */
function subjects(binding: KubeObject): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of arr(binding.subjects)) {
    if (s.kind === 'User') users.push(str(s.name));
    else if (s.kind === 'Group') groups.push(str(s.name));
    else if (s.kind === 'ServiceAccount') sas.push(`${str(s.namespace)}/${str(s.name)}`);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingTable(roleRefDoc: string, noun: string): TableConvertor {
  return {
    columns: [
      nameColumn,
      col('Role', roleRefDoc),
      ageColumn,
      col('Users', `Users in the ${noun}`, 1),
      col('Groups', `Groups in the ${noun}`, 1),
      col('ServiceAccounts', `ServiceAccounts in the ${noun}`, 1),
    ],
    cells(obj, now) {
      const ref = rec(obj.roleRef);
      return [obj.metadata?.name ?? '', `${str(ref.kind)}/${str(ref.name)}`, age(obj, now), ...subjects(obj)];
    },
  };
}

export const roleBindingTable = bindingTable(doc.rbRoleRef, 'roleBinding');
export const clusterRoleBindingTable = bindingTable(doc.crbRoleRef, 'clusterRoleBinding');
