import { renameRepository, type RenameRepositoryRequest } from '../services/rename-repository';

/** `images rename-repository [--from R] [--check]`: the Dockerfiles' family references moved to nx.json's repository. */
export async function renameRepositoryCommand(args: RenameRepositoryRequest): Promise<void> {
  await renameRepository(args);
}
